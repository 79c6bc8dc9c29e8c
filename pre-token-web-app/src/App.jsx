// Loads the deploy's configuration, then runs the code flow with PKCE (default) or the opt-in implicit flow.
import { useEffect, useState } from "react";
import { AuthProvider, useAuth } from "react-oidc-context";
import { Demo } from "./Demo.jsx";
import { chosenFlow, loadConfig, logoutUrl, oidcSettings } from "./config.js";
import {
  forgetImplicitSession,
  forgetImplicitState,
  implicitLoginUrl,
  readImplicitResult,
  rememberImplicitSession,
  storedImplicitSession,
} from "./implicit.js";

function clearCallbackFromUrl() {
  window.history.replaceState({}, document.title, window.location.pathname);
}

function CodeFlow({ config }) {
  const auth = useAuth();
  if (auth.isLoading) {
    return <p>Signing in…</p>;
  }
  const session = auth.user ? { idToken: auth.user.id_token, accessToken: auth.user.access_token } : null;
  const logout = async () => {
    await auth.removeUser();
    window.location.assign(logoutUrl(config));
  };
  const error = auth.error ? `Sign-in failed: ${auth.error.message}` : null;
  const refresh = auth.user?.refresh_token ? () => auth.signinSilent() : undefined;
  return (
    <Demo
      config={config}
      session={session}
      error={error}
      onLogin={() => auth.signinRedirect()}
      onLogout={logout}
      onRefresh={refresh}
    />
  );
}

function ImplicitFlow({ config }) {
  // An answer in the fragment, else the session this tab kept from an earlier answer (a reload).
  const [result] = useState(() => readImplicitResult(window.location.hash) ?? storedImplicitSession());
  useEffect(() => {
    if (result && window.location.hash) {
      if (!result.error) {
        rememberImplicitSession(result);
      }
      forgetImplicitState();
      clearCallbackFromUrl();
    }
  }, [result]);
  const session = result && !result.error ? { idToken: result.idToken, accessToken: result.accessToken } : null;
  const logout = () => {
    forgetImplicitSession();
    window.location.assign(logoutUrl(config));
  };
  return (
    <Demo
      config={config}
      session={session}
      error={result?.error ? `Sign-in failed: ${result.error}` : null}
      onLogin={() => window.location.assign(implicitLoginUrl(config))}
      onLogout={logout}
    />
  );
}

export function App() {
  // Decided once, from the URL the page opened with: the flow's own clean-up then rewrites the URL, and a
  // later render (StrictMode loads the config twice in development) must not switch flows.
  const [flow] = useState(() => chosenFlow(window.location.search, window.location.hash, storedImplicitSession() !== null));
  const [config, setConfig] = useState(undefined);
  useEffect(() => {
    loadConfig().then(setConfig, () => setConfig(null));
  }, []);
  if (config === undefined) {
    return <p>Loading…</p>;
  }
  if (config === null) {
    return (
      <main>
        <h1>Custom claims in Cognito tokens</h1>
        <p role="alert" className="error">
          No configuration found. Run <code>claimsctl deploy</code>: it writes public/claimsctl-config.json.
        </p>
      </main>
    );
  }
  if (flow === "implicit") {
    return <ImplicitFlow config={config} />;
  }
  return (
    <AuthProvider {...oidcSettings(config)} onSigninCallback={clearCallbackFromUrl}>
      <CodeFlow config={config} />
    </AuthProvider>
  );
}
