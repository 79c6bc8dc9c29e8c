// The implicit flow, opt-in (?flow=implicit), as the original sample used: tokens arrive in the URL fragment.
// oidc-client-ts supports only the code flow, so this small part is done by hand.
const STATE_KEY = "claimsctl.implicit.state";
// The signed-in session survives a reload as the code flow's does (oidc-client-ts keeps its user in
// sessionStorage): in this tab's sessionStorage, never in the URL, and only until the tokens expire.
const SESSION_KEY = "claimsctl.implicit.session";

export function implicitLoginUrl(config, storage = sessionStorage, random = () => crypto.randomUUID()) {
  const state = random();
  storage.setItem(STATE_KEY, state);
  const params = new URLSearchParams({
    response_type: "token",
    client_id: config.clientId,
    redirect_uri: config.redirectUrl,
    scope: "openid email profile",
    state,
  });
  return `${config.hostedUiUrl}/oauth2/authorize?${params}`;
}

// Pure (it only reads), so React may call it twice, as StrictMode does in development; forgetImplicitState
// drops the state once the answer is taken.
export function readImplicitResult(hash, storage = sessionStorage) {
  const fragment = new URLSearchParams(hash.replace(/^#/, ""));
  if (!fragment.get("id_token") && !fragment.get("error")) {
    return null;
  }
  const expected = storage.getItem(STATE_KEY);
  if (fragment.get("error")) {
    return { error: fragment.get("error_description") || fragment.get("error") };
  }
  if (!expected || fragment.get("state") !== expected) {
    return { error: "The sign-in response did not match this browser's request (state mismatch)." };
  }
  const expiresIn = Number(fragment.get("expires_in")) || 3600;
  return { idToken: fragment.get("id_token"), accessToken: fragment.get("access_token"), expiresIn };
}

export function rememberImplicitSession(result, storage = sessionStorage, now = Date.now()) {
  const session = { idToken: result.idToken, accessToken: result.accessToken, expiresAt: now + result.expiresIn * 1000 };
  storage.setItem(SESSION_KEY, JSON.stringify(session));
}

// The kept session, or null when there is none, it is unreadable, or its tokens have expired.
export function storedImplicitSession(storage = sessionStorage, now = Date.now()) {
  let session;
  try {
    session = JSON.parse(storage.getItem(SESSION_KEY) ?? "null");
  } catch {
    session = null;
  }
  const usable = session && typeof session.idToken === "string" && typeof session.expiresAt === "number";
  if (!usable || session.expiresAt <= now) {
    storage.removeItem(SESSION_KEY);
    return null;
  }
  return { idToken: session.idToken, accessToken: session.accessToken };
}

export function forgetImplicitSession(storage = sessionStorage) {
  storage.removeItem(SESSION_KEY);
}

export function forgetImplicitState(storage = sessionStorage) {
  storage.removeItem(STATE_KEY);
}
