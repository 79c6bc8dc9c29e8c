"""Wires trigger-aware token issue into moto's Cognito backend, and checks what Cognito checks first."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.cognitoidp.exceptions import InvalidParameterException
from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool

from claimsctl.local.cognito import passwords, refresh, revoke, srp, tokens, trigger, usernames

REFRESH_FLOWS = {"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"}
# ExplicitAuthFlows value that enables each AuthFlow (AWS's defaults apply when a client sets none).
FLOW_SETTING = {
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
    "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH",
    "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
}
LEGACY_SETTING = {"ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
                  "CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH"}
DEFAULT_FLOWS = {"ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}


def enabled_flows(client: Any) -> set[str]:
    """The ExplicitAuthFlows settings an app client has (AWS's defaults when it sets none)."""
    configured = client.extended_config.get("ExplicitAuthFlows")
    if not configured:
        return set(DEFAULT_FLOWS)
    return {LEGACY_SETTING.get(f, f) for f in configured}


def _client_flows(backend: CognitoIdpBackend, client_id: str) -> set[str] | None:
    for pool in backend.user_pools.values():
        client = pool.clients.get(client_id)
        if client is not None:
            return enabled_flows(client)
    return None


def check_flow_enabled(backend: CognitoIdpBackend, client_id: str, auth_flow: str) -> None:
    """Cognito refuses a flow the app client has not enabled."""
    enabled = _client_flows(backend, client_id)
    setting = FLOW_SETTING.get(auth_flow)
    if enabled is not None and setting and setting not in enabled:
        raise InvalidParameterException(f"{auth_flow} flow not enabled for this client")


def _source_for_flow(auth_flow: str) -> str:
    return "TokenGeneration_RefreshTokens" if auth_flow in REFRESH_FLOWS else "TokenGeneration_Authentication"


def _wrap_initiate(original: Callable[..., Any], client_arg: int) -> Callable[..., Any]:
    @functools.wraps(original)
    def wrapper(self: CognitoIdpBackend, *args: Any, **kwargs: Any) -> Any:
        client_id = kwargs.get("client_id", args[client_arg] if len(args) > client_arg else "")
        auth_flow = kwargs.get("auth_flow", args[client_arg + 1] if len(args) > client_arg + 1 else "")
        check_flow_enabled(self, client_id, auth_flow)
        with trigger.token_context(_source_for_flow(auth_flow)):
            return original(self, *args, **kwargs)

    return wrapper


def _wrap_respond(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def wrapper(self: CognitoIdpBackend, session: str, client_id: str, challenge_name: str, *args: Any, **kwargs: Any) -> Any:
        source = ("TokenGeneration_NewPasswordChallenge" if challenge_name == "NEW_PASSWORD_REQUIRED"
                  else "TokenGeneration_Authentication")
        with trigger.token_context(source):
            return original(self, session, client_id, challenge_name, *args, **kwargs)

    return wrapper


def install() -> None:
    usernames.install()
    revoke.install()
    refresh.install()
    srp.install()  # before the wrappers below, so they see (and time) the whole call
    CognitoIdpUserPool.create_tokens_from_refresh_token = tokens.create_tokens_from_refresh_token  # type: ignore[method-assign]
    CognitoIdpUserPool.create_access_token = tokens.create_access_token  # type: ignore[method-assign]
    CognitoIdpUserPool.create_id_token = tokens.create_id_token  # type: ignore[method-assign]
    CognitoIdpBackend.admin_initiate_auth = _wrap_initiate(CognitoIdpBackend.admin_initiate_auth, 1)  # type: ignore[method-assign]
    CognitoIdpBackend.initiate_auth = _wrap_initiate(CognitoIdpBackend.initiate_auth, 0)  # type: ignore[method-assign]
    CognitoIdpBackend._validate_password = passwords.validate_password  # type: ignore[method-assign]
    CognitoIdpBackend.respond_to_auth_challenge = _wrap_respond(CognitoIdpBackend.respond_to_auth_challenge)  # type: ignore[method-assign]
