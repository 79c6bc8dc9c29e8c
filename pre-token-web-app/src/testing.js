// Test helpers: unsigned JWT-shaped strings (the UI decodes tokens; it never verifies them).
const encode = (value) => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

export const fakeToken = (payload) => `${encode({ alg: "RS256", kid: "k" })}.${encode(payload)}.c2ln`;
