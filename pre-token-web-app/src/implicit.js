// The implicit flow, opt-in (?flow=implicit), as the original sample used: tokens arrive in the URL fragment.
// oidc-client-ts supports only the code flow, so this small part is done by hand.
const STATE_KEY = "claimsctl.implicit.state";

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
  return { idToken: fragment.get("id_token"), accessToken: fragment.get("access_token") };
}

export function forgetImplicitState(storage = sessionStorage) {
  storage.removeItem(STATE_KEY);
}
