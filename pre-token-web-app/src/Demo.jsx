// The demo's screen: Login, or the signed-in user's projects, token details and Logout.
import { useState } from "react";
import { TokenView } from "./TokenView.jsx";
import { decodeToken, grantsFrom, isExpired, otherClaims } from "./tokens.js";

function accessPayload(session) {
  return session ? decodeToken(session.accessToken)?.payload : null;
}

// onRefresh (the code flow, which holds a refresh token): new tokens through the token endpoint's
// refresh_token grant, so the trigger runs again on the user's row as it is now. With refresh-token rotation
// the answer carries a new refresh token, which oidc-client-ts keeps in place of the old one.
export function Demo({ config, session, error, onLogin, onLogout, onRefresh }) {
  const [refreshing, setRefreshing] = useState(false);
  const [refreshError, setRefreshError] = useState(null);
  const [showDetail, setShowDetail] = useState(false);
  const idPayload = session ? decodeToken(session.idToken)?.payload : null;
  const expired = isExpired(idPayload);
  const signedIn = Boolean(idPayload) && !expired;
  const claims = idPayload?.[config.claimName] !== undefined ? idPayload : accessPayload(session);
  const grants = grantsFrom(claims, config.claimName);
  const others = otherClaims(claims, config.claimName);
  const message = error || refreshError || (expired ? "Your session has expired; sign in again." : null);
  const refresh = async () => {
    setRefreshing(true);
    setRefreshError(null);
    try {
      await onRefresh();
    } catch (failure) {
      setRefreshError(`Refresh failed: ${failure?.message ?? failure}`);
    } finally {
      setRefreshing(false);
    }
  };
  return (
    <main>
      <h1>Custom claims in Cognito tokens</h1>
      <p className="note">
        User pool {config.userPoolId} · trigger {config.triggerVersion} · claim “{config.claimName}”
      </p>
      {message && (
        <p role="alert" className="error">
          {message}
        </p>
      )}
      {!signedIn ? (
        <button type="button" onClick={onLogin}>
          Login
        </button>
      ) : (
        <>
          <p>
            Signed in as <strong data-testid="username">{idPayload["cognito:username"]}</strong>
          </p>
          <h2>Your projects</h2>
          {idPayload[`${config.claimName}_overflow`] && (
            <p role="alert" className="error" data-testid="overflow">
              You belong to more projects than fit in a token, so none were included. Ask an administrator to trim
              the list.
            </p>
          )}
          {idPayload["claimsctl:lookup"] === "row" ? (
            <p role="status" data-testid="lookup">
              You belong to more projects than fit in a token: the API reads them from your row for each new token,
              so this page cannot list them.
            </p>
          ) : grants.length ? (
            <ul data-testid="projects">
              {grants.map(({ project, role }) => (
                <li key={project}>
                  <span data-testid="project">{project}</span>{" "}
                  <span className={`role role-${role}`} data-testid="role">
                    {role}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <p data-testid="no-projects">No projects: this user has access to none.</p>
          )}
          {others.length > 0 && (
            <dl data-testid="other-claims">
              {others.map(([name, value]) => (
                <div key={name}>
                  <dt>{name}</dt>
                  <dd>{typeof value === "string" ? value : JSON.stringify(value)}</dd>
                </div>
              ))}
            </dl>
          )}
          <div className="actions">
            <button type="button" onClick={() => setShowDetail(!showDetail)}>
              {showDetail ? "Hide Token Detail" : "Show Token Detail"}
            </button>
            {onRefresh && (
              <button type="button" onClick={refresh} disabled={refreshing}>
                {refreshing ? "Refreshing…" : "Refresh Tokens"}
              </button>
            )}
            <button type="button" onClick={onLogout}>
              Logout
            </button>
          </div>
          {showDetail && (
            <div className="tokens">
              <TokenView title="ID token" token={session.idToken} claimName={config.claimName} />
              <TokenView title="Access token" token={session.accessToken} claimName={config.claimName} />
            </div>
          )}
        </>
      )}
    </main>
  );
}
