// Decoding tokens for display (the API verifies them; the browser only shows them) and reading the claim.
import { jwtDecode } from "jwt-decode";

export function decodeToken(token) {
  if (!token) {
    return null;
  }
  try {
    return { header: jwtDecode(token, { header: true }), payload: jwtDecode(token) };
  } catch {
    return null;
  }
}

// V1_0 triggers put the projects in the ID token as "p1,p2"; V2_0 as ["p1", "p2"] in both tokens.
export function projectsFrom(payload, claimName) {
  const value = payload ? payload[claimName] : undefined;
  if (Array.isArray(value)) {
    return value.map(String);
  }
  if (typeof value === "string") {
    return value.split(",").map((item) => item.trim()).filter(Boolean);
  }
  return [];
}

export function isExpired(payload, nowSeconds = Date.now() / 1000) {
  return Boolean(payload && typeof payload.exp === "number" && payload.exp <= nowSeconds);
}
