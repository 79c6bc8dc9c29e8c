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

// Each entry of the projects claim is "p1" (the least role, viewer) or "p1:editor" (lambda_src/claims.py).
export function grantsFrom(payload, claimName, leastRole = "viewer") {
  return projectsFrom(payload, claimName).map((entry) => {
    const [project, role] = entry.split(":");
    return { project, role: role || leastRole };
  });
}

// Claims Cognito itself writes (or reserves): every other claim was added by the project's claims_for.
const COGNITO_CLAIMS = new Set([
  "sub", "iss", "aud", "exp", "iat", "nbf", "jti", "origin_jti", "event_id", "token_use", "auth_time", "at_hash",
  "nonce", "acr", "amr", "azp", "identities", "client_id", "username", "scope", "version", "device_key", "email",
  "email_verified", "phone_number", "phone_number_verified", "name", "given_name", "family_name", "middle_name",
  "nickname", "preferred_username", "profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale",
  "updated_at", "address",
]);

export function isCustomClaim(name) {
  return !COGNITO_CLAIMS.has(name) && !/^(cognito|dev|custom|claimsctl):/.test(name);
}

// The claims the project added besides the projects claim (e.g. a tenant), to show as they are.
export function otherClaims(payload, claimName) {
  if (!payload) {
    return [];
  }
  return Object.entries(payload).filter(([name]) => isCustomClaim(name) && name !== claimName
    && name !== `${claimName}_overflow`);
}

export function isExpired(payload, nowSeconds = Date.now() / 1000) {
  return Boolean(payload && typeof payload.exp === "number" && payload.exp <= nowSeconds);
}
