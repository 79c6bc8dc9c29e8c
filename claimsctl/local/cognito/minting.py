"""Token issue for the emulator's user pools: Cognito's claim sets, the trigger's overrides, RS256 signing.

Replaces moto's token minting at the one point every flow passes through
(`create_tokens_from_refresh_token`), so sign-in, challenges, refresh and the
hosted UI all run the pre token generation trigger the same way.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from joserfc import jwt
from moto.cognitoidp.exceptions import NotAuthorizedError
from moto.cognitoidp.models import CognitoIdpUser, CognitoIdpUserPool

from claimsctl.local import clock, state
from claimsctl.local.cognito import keys, pools, token_state, totp, trigger
from claimsctl_runtime.reserved import is_reserved

log = logging.getLogger("claimsctl.local.cognito")
DEFAULT_API_SCOPES = ["aws.cognito.signin.user.admin"]
_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
def public_jwks(pool: CognitoIdpUserPool) -> bytes:
    """The pool's JWKS: the public halves of its ID-token and access-token keys."""
    return keys.of(pool).jwks()


def validity_seconds(pool: CognitoIdpUserPool, client_id: str, token: str) -> int:
    """Token lifetime from the client's IdTokenValidity / AccessTokenValidity (default one hour)."""
    client = pool.clients.get(client_id)
    config = client.extended_config if client else {}
    value = config.get(f"{token}TokenValidity")
    unit = (config.get("TokenValidityUnits") or {}).get(f"{token}Token", "hours")
    return int(value) * _UNIT_SECONDS.get(unit, 3600) if value else 3600


def _base_claims(pool: CognitoIdpUserPool, user: CognitoIdpUser, origin_jti: str, token_use: str,
                 auth_time: int, event_id: str) -> dict[str, Any]:
    now = int(clock.now())
    return {
        "sub": user.id,
        "iss": f"https://cognito-idp.{pool.region}.amazonaws.com/{pool.id}",
        "origin_jti": origin_jti,
        "event_id": event_id,
        "token_use": token_use,
        "auth_time": auth_time,
        "iat": now,
        "jti": str(uuid.uuid4()),
    }


def id_claims(pool: CognitoIdpUserPool, client_id: str, user: CognitoIdpUser, origin_jti: str,
              auth_time: int, event_id: str) -> dict[str, Any]:
    claims = _base_claims(pool, user, origin_jti, "id", auth_time, event_id)
    claims["aud"] = client_id
    claims["cognito:username"] = user.username
    if trigger.current_nonce():
        claims["nonce"] = trigger.current_nonce()
    for attribute in user.attributes:
        name = attribute["Name"]
        if name != "sub" and not name.startswith("dev:"):
            claims[name] = _attribute_value(name, attribute["Value"])
    if user.groups:
        claims["cognito:groups"] = sorted(g.group_name for g in user.groups)
        roles = [g.role_arn for g in _by_precedence(user) if g.role_arn]
        if roles:  # as Cognito: the groups' IAM roles, and the role of the group with the lowest precedence
            claims["cognito:roles"] = roles
            claims["cognito:preferred_role"] = roles[0]
    claims["exp"] = claims["iat"] + validity_seconds(pool, client_id, "Id")
    return claims


def _attribute_value(name: str, value: str) -> Any:
    if name in ("email_verified", "phone_number_verified"):
        return str(value).lower() == "true"
    return value


def access_claims(pool: CognitoIdpUserPool, client_id: str, user: CognitoIdpUser, origin_jti: str,
                  scopes: list[str], auth_time: int, event_id: str) -> dict[str, Any]:
    claims = _base_claims(pool, user, origin_jti, "access", auth_time, event_id)
    claims["version"] = 2  # as in the access token page's sample
    claims["client_id"] = client_id
    claims["username"] = user.username
    claims["scope"] = " ".join(scopes)
    if user.groups:
        claims["cognito:groups"] = sorted(g.group_name for g in user.groups)
    claims["exp"] = claims["iat"] + validity_seconds(pool, client_id, "Access")
    return claims


def apply_changes(claims: dict[str, Any], changes: trigger.ClaimChanges) -> None:
    """Cognito's rules: reserved claims never change, and a claim both added and suppressed is suppressed."""
    token_use = str(claims.get("token_use"))
    for name, value in changes.add.items():
        if is_reserved(name, token_use):
            log.warning("pre token generation: ignored an attempt to change reserved claim %s", name)
        elif name not in changes.suppress:
            claims[name] = value
    for name in changes.suppress:
        if is_reserved(name, token_use):
            log.warning("pre token generation: ignored an attempt to suppress reserved claim %s", name)
        else:
            claims.pop(name, None)


def apply_groups(claims: dict[str, Any], groups: dict[str, Any] | None) -> None:
    """groupOverrideDetails: groups in both tokens; IAM roles and the preferred role in the ID token only."""
    if groups is None:
        return
    keys = (("groupsToOverride", "cognito:groups"), ("iamRolesToOverride", "cognito:roles"))
    for key, claim in keys if claims.get("token_use") == "id" else keys[:1]:
        values = groups.get(key)
        if values:
            claims[claim] = list(values)
        else:
            claims.pop(claim, None)
    if claims.get("token_use") != "id":
        return
    if groups.get("preferredRole"):
        claims["cognito:preferred_role"] = groups["preferredRole"]
    else:
        claims.pop("cognito:preferred_role", None)


def _by_precedence(user: CognitoIdpUser) -> list[Any]:
    return sorted(user.groups, key=lambda g: (g.precedence if g.precedence is not None else 1 << 31, g.group_name))


def final_scopes(scopes: list[str], overrides: trigger.TokenOverrides) -> list[str]:
    kept = [s for s in scopes if s not in overrides.scopes_to_suppress]
    return kept + [s for s in overrides.scopes_to_add if s not in kept and s not in overrides.scopes_to_suppress]


def sign(pool: CognitoIdpUserPool, claims: dict[str, Any]) -> str:
    """RS256 with the pool's own key for this kind of token (ID and access tokens have separate keys)."""
    key = keys.of(pool).for_use(str(claims["token_use"]))
    token_state.of(pool).note_issued(str(claims["jti"]))
    return jwt.encode({"kid": keys.kid(key), "alg": "RS256"}, claims, key)


def issue(pool: CognitoIdpUserPool, client_id: str, username: str, origin_jti: str,
          granted: list[str] | None = None, auth_time: int | None = None) -> tuple[str, str, int]:
    """(access token, id token, expires_in) for a signed-in user, after the pre token generation trigger.
    auth_time is when the user authenticated (now for a sign-in; the refresh token's for a refresh)."""
    user = pools.user(pool, username)
    if user is None:
        raise NotAuthorizedError("Invalid Refresh Token")
    if not user.enabled:
        raise NotAuthorizedError("User is disabled.")
    authenticated = auth_time if auth_time is not None else int(clock.now())
    scopes = trigger.current_scopes() or granted or list(DEFAULT_API_SCOPES)
    overrides = trigger.invoke(pool, client_id, user, scopes)
    event_id = str(uuid.uuid4())  # one issue, one event: both tokens carry its id
    id_token_claims = id_claims(pool, client_id, user, origin_jti, authenticated, event_id)
    access_token_claims = access_claims(pool, client_id, user, origin_jti, final_scopes(scopes, overrides),
                                        authenticated, event_id)
    apply_changes(id_token_claims, overrides.id_token)
    apply_changes(access_token_claims, overrides.access_token)
    apply_groups(id_token_claims, overrides.groups)
    apply_groups(access_token_claims, overrides.groups)
    id_token, access_token = sign(pool, id_token_claims), sign(pool, access_token_claims)
    return access_token, id_token, int(access_token_claims["exp"] - access_token_claims["iat"])


def create_tokens_from_refresh_token(self: CognitoIdpUserPool, refresh_token: str) -> tuple[str, str, int]:
    grant, problem = token_state.inspect_refresh_token(self, refresh_token)
    if grant is None:
        raise NotAuthorizedError(problem or token_state.INVALID_REFRESH_TOKEN)
    scopes = list(grant.scopes) if grant.scopes is not None else None
    return issue(self, grant.client_id, grant.username, grant.origin_jti, scopes, grant.auth_time)


def create_refresh_token(self: CognitoIdpUserPool, client_id: str, username: str) -> tuple[str, str]:
    """moto's uuid refresh token, stored for ever, becomes an encrypted one that holds its own grant.
    moto mints this first on every sign-in, so it is where an MFA-required pool stops a user without TOTP."""
    totp.require_setup(self, username)
    return token_state.new_refresh_token(self, client_id, username)


# moto's USER_PASSWORD_AUTH path mints the access token, then the ID token, in two
# calls; both come from one trigger run, so the second call takes what the first made.
_PENDING_ID_TOKENS = state.Slot(lambda: token_state.Bounded(10_000))


def create_access_token(self: CognitoIdpUserPool, client_id: str, username: str, origin_jti: str) -> tuple[str, int]:
    access_token, id_token, expires_in = issue(self, client_id, username, origin_jti)
    _PENDING_ID_TOKENS.get()[origin_jti] = (id_token, expires_in)
    return access_token, expires_in


def create_id_token(self: CognitoIdpUserPool, client_id: str, username: str, origin_jti: str) -> tuple[str, int]:
    pending: tuple[str, int] | None = _PENDING_ID_TOKENS.get().pop(origin_jti, None)
    if pending is not None:
        return pending
    _, id_token, expires_in = issue(self, client_id, username, origin_jti)
    return id_token, expires_in
