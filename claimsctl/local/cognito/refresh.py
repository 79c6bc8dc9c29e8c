"""GetTokensFromRefreshToken, which moto lacks and Amplify JS v6 uses to refresh: new ID and access tokens
from a refresh token, through the pre token generation trigger (TokenGeneration_RefreshTokens); and
refresh-token rotation, as Cognito documents it:

- An app client's `RefreshTokenRotation` (`Feature` ENABLED or DISABLED, `RetryGracePeriodSeconds` 0-60; the
  model rules check both) turns it on. GetTokensFromRefreshToken then also returns a new refresh token, and
  the one it replaces keeps working for the grace period only (0: not at all), on the emulator's clock; after
  that it is "Invalid Refresh Token". The new token ends when the one it replaced would have.
  https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RefreshTokenRotationType.html
- REFRESH_TOKEN_AUTH (InitiateAuth, AdminInitiateAuth) is refused for such a client ("You can't authenticate with
  REFRESH_TOKEN_AUTH in app clients with refresh token rotation enabled"), and GetTokensFromRefreshToken does not
  need ALLOW_REFRESH_TOKEN_AUTH for it (AWS asks to remove that flow from a rotating client).
  https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-refresh-token.html
- The token endpoint's refresh_token grant rotates the same way (hosted_ui/oauth.py calls `rotated`).
- Rotation is a feature of the Essentials and Plus plans: a LITE pool's client cannot turn it on
  (FeatureUnavailableInTierException).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from moto.cognitoidp.exceptions import InvalidParameterException, NotAuthorizedError, ResourceNotFoundError
from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool
from moto.cognitoidp.responses import CognitoIdpResponse

from claimsctl.local import patches
from claimsctl.local.cognito import clients, flows, pools, token_state, trigger
from claimsctl.local.cognito.errors import FeatureUnavailableInTierException

DEFAULT_TIER = "ESSENTIALS"  # what a pool that names no UserPoolTier is on


def grace_seconds(pool: CognitoIdpUserPool, client_id: str) -> int | None:
    """The client's RetryGracePeriodSeconds when it rotates refresh tokens (0 when unset); None when it does not."""
    client = pool.clients.get(client_id)
    rotation = (client.extended_config.get("RefreshTokenRotation") if client else None) or {}
    if rotation.get("Feature") != "ENABLED":
        return None
    return int(rotation.get("RetryGracePeriodSeconds") or 0)


def rotated(pool: CognitoIdpUserPool, client_id: str, refresh_token: str) -> str | None:
    """The refresh token that replaces `refresh_token` when the client rotates them (None when it does not).
    Called after the new ID and access tokens were issued: a refresh that failed rotates nothing."""
    grace = grace_seconds(pool, client_id)
    if grace is None:
        return None
    grant = token_state.read_refresh_token(pool, refresh_token)
    new_token = token_state.rotate_refresh_token(pool, grant, grace) if grant is not None else None
    if new_token is None:
        raise NotAuthorizedError(token_state.INVALID_REFRESH_TOKEN)
    return new_token


def _check_client_secret(client: Any, given: object) -> None:
    """A client with a secret must send it ("The client secret of the requested app client, if the client has a
    secret": GetTokensFromRefreshToken's API reference); NotAuthorizedException otherwise (the wording is the
    emulator's own: AWS documents only the exception)."""
    if not client.generate_secret:
        return
    if not given:
        raise NotAuthorizedError(f"Client {client.id} is configured with secret but ClientSecret was not received")
    if not clients.secret_matches(client, given):
        raise NotAuthorizedError(f"Unable to verify secret for client {client.id}")


def _get_tokens_from_refresh_token(self: CognitoIdpResponse) -> str:
    client_id = self._get_param("ClientId") or ""
    pool = pools.of_client(client_id)
    if pool is None:
        raise ResourceNotFoundError(client_id)
    _check_client_secret(pool.clients[client_id], self._get_param("ClientSecret"))
    rotating = grace_seconds(pool, client_id) is not None
    if not rotating and "ALLOW_REFRESH_TOKEN_AUTH" not in flows.enabled_flows(pool.clients[client_id]):
        raise InvalidParameterException("REFRESH_TOKEN_AUTH flow not enabled for this client")
    token = self._get_param("RefreshToken") or ""
    problem = token_state.refresh_token_problem(pool, token, client_id)
    if problem is not None:
        raise NotAuthorizedError(problem)
    with trigger.token_context("TokenGeneration_RefreshTokens"):
        access_token, id_token, expires_in = pool.create_tokens_from_refresh_token(token)
    result: dict[str, Any] = {"AccessToken": access_token, "IdToken": id_token, "ExpiresIn": expires_in,
                              "TokenType": "Bearer"}
    new_refresh_token = rotated(pool, client_id, token)
    if new_refresh_token is not None:
        result["RefreshToken"] = new_refresh_token
    return json.dumps({"AuthenticationResult": result})


def _refusing_refresh_auth(original: Callable[..., Any], client_arg: int) -> Callable[..., Any]:
    """REFRESH_TOKEN_AUTH is refused for a client that rotates refresh tokens."""

    @functools.wraps(original)
    def initiate(self: CognitoIdpBackend, *args: Any, **kwargs: Any) -> Any:
        client_id = kwargs.get("client_id", args[client_arg] if len(args) > client_arg else "")
        auth_flow = kwargs.get("auth_flow", args[client_arg + 1] if len(args) > client_arg + 1 else "")
        pool = pools.of_client(client_id) if auth_flow in flows.REFRESH_FLOWS else None
        if pool is not None and grace_seconds(pool, client_id) is not None:
            raise InvalidParameterException(
                f"{auth_flow} flow not enabled for this client: it rotates refresh tokens (RefreshTokenRotation "
                "ENABLED), which GetTokensFromRefreshToken refreshes.")
        return original(self, *args, **kwargs)

    return initiate


def check_plan(backend: CognitoIdpBackend, user_pool_id: str, config: dict[str, Any] | None) -> None:
    """Refresh-token rotation needs the Essentials or Plus plan."""
    rotation = (config or {}).get("RefreshTokenRotation") or {}
    pool = backend.user_pools.get(user_pool_id)
    tier = (pool.extended_config.get("UserPoolTier") if pool else None) or DEFAULT_TIER
    if rotation.get("Feature") == "ENABLED" and tier == "LITE":
        raise FeatureUnavailableInTierException(
            "Refresh token rotation requires the ESSENTIALS or PLUS feature plan; the pool is on LITE.")


def _plan_checked_create(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def create_user_pool_client(self: CognitoIdpBackend, user_pool_id: str, generate_secret: bool,
                                extended_config: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        check_plan(self, user_pool_id, extended_config)
        return original(self, user_pool_id, generate_secret, extended_config, *args, **kwargs)

    return create_user_pool_client


def _plan_checked_update(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def update_user_pool_client(self: CognitoIdpBackend, user_pool_id: str, client_id: str,
                                extended_config: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        check_plan(self, user_pool_id, extended_config)
        return original(self, user_pool_id, client_id, extended_config, *args, **kwargs)

    return update_user_pool_client


PATCHES = (
    patches.replace(CognitoIdpResponse, "get_tokens_from_refresh_token", _get_tokens_from_refresh_token, new=True),
    patches.wrap(CognitoIdpBackend, "initiate_auth", lambda original: _refusing_refresh_auth(original, 0)),
    patches.wrap(CognitoIdpBackend, "admin_initiate_auth", lambda original: _refusing_refresh_auth(original, 1)),
    patches.wrap(CognitoIdpBackend, "create_user_pool_client", _plan_checked_create),
    patches.wrap(CognitoIdpBackend, "update_user_pool_client", _plan_checked_update),
)
