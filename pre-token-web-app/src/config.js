// Loads the settings `claimsctl deploy` writes to public/claimsctl-config.json.
export const CONFIG_PATH = "/claimsctl-config.json";

export async function loadConfig(fetchImpl = fetch) {
  const response = await fetchImpl(CONFIG_PATH, { cache: "no-store" });
  if (!response.ok) {
    return null;
  }
  try {
    return await response.json();
  } catch {
    return null;
  }
}

// The opt-in implicit flow (the original sample's): add ?flow=implicit to the page URL. The hosted UI redirects
// back to the bare redirect URL, so the query is gone by then: a fragment carrying tokens (or an error) is the
// implicit flow's answer, and after a reload, the implicit session this tab keeps. The code flow's answer
// comes in the query, never in the fragment.
export function chosenFlow(search = window.location.search, hash = window.location.hash, hasImplicitSession = false) {
  const fragment = new URLSearchParams(hash.replace(/^#/, ""));
  if (fragment.has("id_token") || fragment.has("access_token") || fragment.has("error") || hasImplicitSession) {
    return "implicit";
  }
  return new URLSearchParams(search).get("flow") === "implicit" ? "implicit" : "code";
}

export function oidcSettings(config) {
  return {
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: config.redirectUrl,
    post_logout_redirect_uri: config.logoutUrl,
    response_type: "code",
    scope: "openid email profile",
    loadUserInfo: false,
    automaticSilentRenew: false,
  };
}

export function logoutUrl(config) {
  const params = new URLSearchParams({ client_id: config.clientId, logout_uri: config.logoutUrl });
  return `${config.hostedUiUrl}/logout?${params}`;
}
