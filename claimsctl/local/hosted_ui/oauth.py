"""The hosted UI's OAuth 2.0 logic: authorize requests, sign-in, codes, the token, revoke and userInfo endpoints.

Follows Cognito's user pool endpoints: the code grant (PKCE optional, as in
Cognito, but a `code_challenge` must be S256 and then binds the code) and the
implicit grant, single-use codes valid for 5 minutes, redirect and logout URIs
that must be registered, and OAuth error codes as Cognito returns them.
Sign-in here runs the pre token generation trigger with
TokenGeneration_HostedAuth.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from moto.cognitoidp.exceptions import NotAuthorizedError
from moto.cognitoidp.models import CognitoIdpUserPool, CognitoIdpUserPoolClient

from claimsctl.local import clock, state
from claimsctl.local.cognito import clients, pools, revoke, token_state, trigger
from claimsctl.local.cognito import refresh as refresh_rotation
from claimsctl.local.hosted_ui import client_credentials
from claimsctl.local.hosted_ui.errors import OAuthError

CODE_LIFETIME_SECONDS = 300
OIDC_SCOPES = {"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"}


class PageError(Exception):
    """A problem shown on an error page: Cognito cannot redirect for an unknown client or redirect URI."""


@dataclass(frozen=True)
class AuthorizeRequest:
    response_type: str
    client_id: str
    redirect_uri: str
    state: str | None
    scopes: tuple[str, ...]
    code_challenge: str | None
    code_challenge_method: str | None
    nonce: str | None

    @classmethod
    def from_params(cls, params: dict[str, str]) -> AuthorizeRequest:
        return cls(
            response_type=params.get("response_type", ""), client_id=params.get("client_id", ""),
            redirect_uri=params.get("redirect_uri", ""), state=params.get("state"),
            scopes=tuple(params.get("scope", "").split()), code_challenge=params.get("code_challenge"),
            code_challenge_method=params.get("code_challenge_method"), nonce=params.get("nonce"),
        )

    def as_params(self) -> dict[str, str]:
        params = {"response_type": self.response_type, "client_id": self.client_id, "redirect_uri": self.redirect_uri,
                  "scope": " ".join(self.scopes), "state": self.state, "code_challenge": self.code_challenge,
                  "code_challenge_method": self.code_challenge_method, "nonce": self.nonce}
        return {k: v for k, v in params.items() if v}


@dataclass
class IssuedCode:
    pool_id: str
    client_id: str
    redirect_uri: str
    code_challenge: str | None
    tokens: dict[str, Any]
    created: float = field(default_factory=lambda: clock.monotonic())


_CODES: state.Slot[dict[str, IssuedCode]] = state.Slot(dict)
_codes_lock = threading.Lock()


def forget_codes() -> None:
    with _codes_lock:
        _CODES.get().clear()


def _client(pool: CognitoIdpUserPool, client_id: str) -> CognitoIdpUserPoolClient | None:
    return pool.clients.get(client_id)


def registered(url: str, urls_of_client: list[str] | None) -> bool:
    """`url` is one of the client's registered URLs, exactly as Cognito compares them. A registered CloudFront
    URL (https://{label}.cloudfront.net/...) also matches the emulator's address for that distribution."""
    from claimsctl.local.urls import emulator_url

    candidates = urls_of_client or []
    return url in candidates or url in {emulator_url(candidate) for candidate in candidates}


def check_authorize(pool: CognitoIdpUserPool, request: AuthorizeRequest) -> CognitoIdpUserPoolClient:
    """Validate an authorize request: PageError when no redirect is possible, OAuthError to redirect with."""
    client = _client(pool, request.client_id)
    if client is None:
        raise PageError("An error was encountered with the requested page: the client_id is not valid for this user pool.")
    config = client.extended_config
    if not registered(request.redirect_uri, config.get("CallbackURLs")):
        raise PageError("An error was encountered with the requested page: redirect_mismatch "
                        "(the redirect_uri is not one of the app client's callback URLs).")
    flows = config.get("AllowedOAuthFlows") or []
    wanted = {"code": "code", "token": "implicit"}.get(request.response_type)
    if wanted is None:
        raise OAuthError("unsupported_response_type", "response_type must be code or token")
    if not config.get("AllowedOAuthFlowsUserPoolClient") or wanted not in flows:
        raise OAuthError("unauthorized_client", f"the {wanted} grant is not enabled for this client")
    allowed = set(config.get("AllowedOAuthScopes") or [])
    if not set(request.scopes) <= allowed:
        raise OAuthError("invalid_scope", f"scopes must be among the client's allowed scopes: {' '.join(sorted(allowed))}")
    if set(request.scopes) & {"email", "profile", "phone"} and "openid" not in request.scopes:
        raise OAuthError("invalid_scope", "the email, profile and phone scopes need the openid scope")
    if request.code_challenge and request.code_challenge_method != "S256":
        raise OAuthError("invalid_request", "code_challenge_method must be S256 when a code_challenge is given")
    return client  # type: ignore[no-any-return]


def granted(client: CognitoIdpUserPoolClient, request: AuthorizeRequest) -> tuple[str, ...]:
    """The scopes asked for; without a scope parameter, every scope the client allows (as Cognito does)."""
    return request.scopes or tuple(client.extended_config.get("AllowedOAuthScopes") or ())


def authenticate(pool: CognitoIdpUserPool, username: str, password: str) -> str:
    """The user's name when the password is right; ValueError with the message the login page shows."""
    user = pools.user(pool, username)
    if user is None or user.password != password:
        raise ValueError("Incorrect username or password.")
    if not user.enabled:
        raise ValueError("User is disabled.")
    status = str(getattr(user.status, "value", user.status))
    if status in ("FORCE_CHANGE_PASSWORD", "RESET_REQUIRED"):
        raise ValueError("This user must set a new password first; ask an administrator to set a permanent one.")
    if status == "UNCONFIRMED":
        raise ValueError("User is not confirmed.")
    return str(user.username)


def issue_tokens(pool: CognitoIdpUserPool, client_id: str, username: str, scopes: tuple[str, ...],
                 nonce: str | None, source: str = "TokenGeneration_HostedAuth") -> dict[str, Any]:
    """Mint tokens through the trigger; raises the Cognito trigger errors."""
    refresh_token, _ = token_state.new_refresh_token(pool, client_id, username, scopes)
    with trigger.token_context(source, list(scopes), nonce):
        access_token, id_token, expires_in = pool.create_tokens_from_refresh_token(refresh_token)
    tokens: dict[str, Any] = {"access_token": access_token, "refresh_token": refresh_token,
                              "token_type": "Bearer", "expires_in": expires_in}
    if "openid" in scopes:
        tokens["id_token"] = id_token
    return tokens


def store_code(pool: CognitoIdpUserPool, request: AuthorizeRequest, tokens: dict[str, Any]) -> str:
    code = secrets.token_urlsafe(32)
    with _codes_lock:
        now = clock.monotonic()
        for stale in [c for c, issued in _CODES.get().items() if now - issued.created > CODE_LIFETIME_SECONDS]:
            del _CODES.get()[stale]
        _CODES.get()[code] = IssuedCode(pool.id, request.client_id, request.redirect_uri, request.code_challenge, tokens)
    return code


def _authenticate_client(pool: CognitoIdpUserPool, form: dict[str, str], basic: tuple[str, str] | None,
                         status: int = 400) -> str:
    """The client the request names, authenticated by its secret when it has one. An unknown client and a
    wrong secret get the same answer, so the answer does not tell which client ids exist."""
    client_id = basic[0] if basic else form.get("client_id", "")
    client = _client(pool, client_id)
    secret = basic[1] if basic else form.get("client_secret")
    if client is None or (client.generate_secret and not clients.secret_matches(client, secret)):
        raise OAuthError("invalid_client", client_credentials.CLIENT_AUTHENTICATION_FAILED, status)
    return client_id


def _pkce_matches(challenge: str, verifier: str) -> bool:
    digest = hashlib.sha256(verifier.encode()).digest()
    return secrets.compare_digest(base64.urlsafe_b64encode(digest).rstrip(b"=").decode(), challenge)


def exchange_code(pool: CognitoIdpUserPool, form: dict[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
    client_id = _authenticate_client(pool, form, basic)
    with _codes_lock:
        issued = _CODES.get().pop(form.get("code", ""), None)  # single use: gone whatever happens next
    if issued is None or issued.pool_id != pool.id or clock.monotonic() - issued.created > CODE_LIFETIME_SECONDS:
        raise OAuthError("invalid_grant", "the code is invalid, expired or already used")
    if issued.client_id != client_id or issued.redirect_uri != form.get("redirect_uri"):
        raise OAuthError("invalid_grant", "the code was issued to another client or redirect_uri")
    if issued.code_challenge and not _pkce_matches(issued.code_challenge, form.get("code_verifier", "")):
        raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
    return issued.tokens


def refresh(pool: CognitoIdpUserPool, form: dict[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
    client_id = _authenticate_client(pool, form, basic)
    if not form.get("refresh_token"):
        raise OAuthError("invalid_request", "refresh_token is required for grant_type refresh_token")
    problem = token_state.refresh_token_problem(pool, form.get("refresh_token", ""), client_id)
    if problem is not None:
        raise OAuthError("invalid_grant", problem)
    try:
        with trigger.token_context("TokenGeneration_RefreshTokens"):
            access_token, id_token, expires_in = pool.create_tokens_from_refresh_token(form["refresh_token"])
        new_refresh_token = refresh_rotation.rotated(pool, client_id, form["refresh_token"])
    except NotAuthorizedError as exc:
        raise OAuthError("invalid_grant", exc.message) from None
    answer = {"access_token": access_token, "id_token": id_token, "token_type": "Bearer", "expires_in": expires_in}
    if new_refresh_token is not None:  # the client rotates refresh tokens: the old one is retired
        answer["refresh_token"] = new_refresh_token
    return answer


def token_endpoint(pool: CognitoIdpUserPool, form: dict[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
    grant = form.get("grant_type")
    if grant == "authorization_code":
        return exchange_code(pool, form, basic)
    if grant == "refresh_token":
        return refresh(pool, form, basic)
    if grant == "client_credentials":
        return client_credentials.grant(pool, form, basic)
    if not grant:
        raise OAuthError("invalid_request", "grant_type is required")
    raise OAuthError("unsupported_grant_type", f"grant_type {grant} is not supported")


def revoke_endpoint(pool: CognitoIdpUserPool, form: dict[str, str], basic: tuple[str, str] | None) -> None:
    """POST /oauth2/revoke: the refresh token, and every token issued from it, stop working (Cognito's
    revocation endpoint). An unknown token changes nothing and succeeds (RFC 7009). Bad client credentials are
    401 invalid_client, as the revocation endpoint's page documents (the token endpoint answers 400)."""
    token = form.get("token", "")
    if not token:
        raise OAuthError("invalid_request", "token is required")
    client_id = _authenticate_client(pool, form, basic, status=401)
    try:
        revoke.revoke(pool, client_id, token)
    except revoke.UnsupportedTokenTypeException:
        raise OAuthError("unsupported_token_type", "only refresh tokens can be revoked") from None
    except revoke.UnsupportedOperationException:
        raise OAuthError("invalid_request", "token revocation is not enabled for this app client") from None


PROFILE_ATTRIBUTES = frozenset({
    "name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile", "picture",
    "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"})
SCOPE_ATTRIBUTES = {"email": frozenset({"email", "email_verified"}),
                    "phone": frozenset({"phone_number", "phone_number_verified"})}


def _released(name: str, scopes: set[str]) -> bool:
    """Which attributes the token's scopes release (Cognito's userInfo rules)."""
    if name == "sub" or not scopes & {"profile", "email", "phone"}:
        return True  # openid alone releases every attribute
    if "profile" in scopes and (name in PROFILE_ATTRIBUTES or name.startswith("custom:")):
        return True
    return any(scope in scopes and name in names for scope, names in SCOPE_ATTRIBUTES.items())


def user_info(pool: CognitoIdpUserPool, access_token: str) -> dict[str, Any]:
    """The user's attributes as the token's scopes allow; 401 for a token that is unknown, revoked, expired,
    has no openid scope, or whose user is deleted or disabled."""
    entry = pool.access_tokens.get(access_token)
    claims = token_state.unverified_claims(access_token) if entry else {}
    scopes = set(str(claims.get("scope", "")).split())
    exp = claims.get("exp")
    if entry is None or not isinstance(exp, int) or exp <= clock.now():
        raise OAuthError("invalid_token", "Access token is invalid or expired", 401)
    if "openid" not in scopes:
        raise OAuthError("invalid_token", "Access token does not have the openid scope", 401)
    user = pools.user(pool, entry[1])
    if user is None or not user.enabled:
        raise OAuthError("invalid_token", "User does not exist or is disabled", 401)
    attributes = {a["Name"]: a["Value"] for a in user.attributes if _released(a["Name"], scopes)}
    for flag in ("email_verified", "phone_number_verified"):
        if flag in attributes:
            attributes[flag] = str(attributes[flag]).lower()
    return {**attributes, "sub": user.id, "username": user.username}


def check_logout(pool: CognitoIdpUserPool, client_id: str, logout_uri: str) -> None:
    client = _client(pool, client_id)
    if client is None:
        raise PageError("An error was encountered with the requested page: the client_id is not valid.")
    if not registered(logout_uri, client.extended_config.get("LogoutURLs")):
        raise PageError("An error was encountered with the requested page: the logout_uri is not one of the "
                        "app client's sign-out URLs.")
