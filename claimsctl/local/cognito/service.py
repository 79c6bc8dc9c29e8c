"""Wires trigger-aware token issue into moto's Cognito backend, and checks what Cognito checks first."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from typing import Any

from moto.cognitoidp.exceptions import InvalidParameterException, NotAuthorizedError
from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool
from moto.cognitoidp.responses import CognitoIdpResponse

from claimsctl.local import patches
from claimsctl.local.cognito import (
    clients,
    existence,
    flows,
    ids,
    keys,
    minting,
    passwords,
    pools,
    quotas,
    recovery,
    refresh,
    resource_servers,
    revoke,
    secret_hash,
    srp,
    token_state,
    totp,
    trigger,
    user_api,
    usernames,
)
from claimsctl.local.cognito.errors import FeatureUnavailableInTierException


def _client_flows(backend: CognitoIdpBackend, client_id: str) -> set[str] | None:
    for pool in backend.user_pools.values():
        client = pool.clients.get(client_id)
        if client is not None:
            return flows.enabled_flows(client)
    return None


def check_flow_enabled(backend: CognitoIdpBackend, client_id: str, auth_flow: str) -> None:
    """Cognito refuses a flow the app client has not enabled."""
    enabled = _client_flows(backend, client_id)
    setting = flows.FLOW_SETTING.get(auth_flow)
    if enabled is not None and setting and setting not in enabled:
        raise InvalidParameterException(f"{auth_flow} flow not enabled for this client")


def check_refresh_client(backend: CognitoIdpBackend, client_id: str, refresh_token: str) -> None:
    """A refresh token works only for the app client it was issued to (moto's REFRESH_TOKEN_AUTH took any
    client of the pool and issued tokens for the token's own client), and each unusable token gets Cognito's
    message for why: invalid, expired or revoked (moto said "revoked" for all of them)."""
    for pool in backend.user_pools.values():
        if client_id in pool.clients:
            problem = token_state.refresh_token_problem(pool, refresh_token, client_id)
            if problem is not None:
                raise NotAuthorizedError(problem)
            return


def _source_for_flow(auth_flow: str) -> str:
    return "TokenGeneration_RefreshTokens" if auth_flow in flows.REFRESH_FLOWS else "TokenGeneration_Authentication"


def _wrap_initiate(original: Callable[..., Any], client_arg: int) -> Callable[..., Any]:
    @functools.wraps(original)
    def wrapper(self: CognitoIdpBackend, *args: Any, **kwargs: Any) -> Any:
        client_id = kwargs.get("client_id", args[client_arg] if len(args) > client_arg else "")
        auth_flow = kwargs.get("auth_flow", args[client_arg + 1] if len(args) > client_arg + 1 else "")
        check_flow_enabled(self, client_id, auth_flow)
        if auth_flow in flows.REFRESH_FLOWS:
            parameters = kwargs.get("auth_parameters", args[client_arg + 2] if len(args) > client_arg + 2 else {})
            check_refresh_client(self, client_id, (parameters or {}).get("REFRESH_TOKEN", ""))
        sessions = self.sessions
        if isinstance(sessions, token_state.ExpiringSessions):
            sessions.mark()
        try:
            with trigger.token_context(_source_for_flow(auth_flow)):
                answer = original(self, *args, **kwargs)
        except totp.MfaSetupNeeded as needed:
            return totp.setup_challenge(self, needed)
        if isinstance(sessions, token_state.ExpiringSessions) and "Session" not in answer:
            sessions.forget_unanswered()  # moto opened one for a sign-in that needed no challenge
        return answer

    return wrapper


def _wrap_respond(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def wrapper(self: CognitoIdpBackend, session: str, client_id: str, challenge_name: str, *args: Any, **kwargs: Any) -> Any:
        source = ("TokenGeneration_NewPasswordChallenge" if challenge_name == "NEW_PASSWORD_REQUIRED"
                  else "TokenGeneration_Authentication")
        try:
            with trigger.token_context(source, metadata=_client_metadata.get()):
                return original(self, session, client_id, challenge_name, *args, **kwargs)
        except totp.MfaSetupNeeded as needed:  # e.g. a new password set in a pool that requires MFA
            return totp.setup_challenge(self, needed)

    return wrapper


_client_metadata: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("client_metadata", default=None)


def _with_client_metadata(original: Callable[..., Any]) -> Callable[..., Any]:
    """Keep the request's ClientMetadata for the trigger: RespondToAuthChallenge passes it to pre token
    generation (InitiateAuth does not: its metadata goes to other triggers)."""

    @functools.wraps(original)
    def handler(self: Any) -> Any:
        token = _client_metadata.set(self._get_param("ClientMetadata"))
        try:
            return original(self)
        finally:
            _client_metadata.reset(token)

    return handler


LAMBDA_VERSIONS = ("V1_0", "V2_0", "V3_0")


def check_lambda_version(config: dict[str, Any]) -> None:
    """Cognito accepts V1_0, V2_0 and V3_0 (V3_0 also runs for client-credentials grants)."""
    versioned = (config.get("LambdaConfig") or {}).get("PreTokenGenerationConfig") or {}
    version = versioned.get("LambdaVersion")
    if version is None:
        return
    if version not in LAMBDA_VERSIONS:
        raise InvalidParameterException(
            f"1 validation error detected: Value '{version}' at 'lambdaConfig.preTokenGenerationConfig.lambdaVersion' "
            f"failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(LAMBDA_VERSIONS)}]")


DEFAULT_TIER = "ESSENTIALS"  # what CreateUserPool gives a pool that names no UserPoolTier


def check_feature_plan(config: dict[str, Any], current_tier: str | None = None) -> None:
    """Features the pool's plan (UserPoolTier) does not include are refused, as Cognito refuses them:
    threat protection (AdvancedSecurityMode AUDIT or ENFORCED) needs PLUS; trigger events V2_0 and V3_0
    (access-token customization; V3_0 also for machine-to-machine tokens) need ESSENTIALS or PLUS."""
    tier = config.get("UserPoolTier") or current_tier or DEFAULT_TIER
    mode = (config.get("UserPoolAddOns") or {}).get("AdvancedSecurityMode", "OFF")
    if mode != "OFF" and tier != "PLUS":
        raise FeatureUnavailableInTierException(
            f"Threat protection (AdvancedSecurityMode {mode}) requires the PLUS feature plan; the pool is on {tier}.")
    version = ((config.get("LambdaConfig") or {}).get("PreTokenGenerationConfig") or {}).get("LambdaVersion")
    if version in ("V2_0", "V3_0") and tier == "LITE":
        what = "access token customization" if version == "V2_0" else "access token customization for users and " \
            "machine-to-machine clients"
        raise FeatureUnavailableInTierException(
            f"Pre token generation {version} ({what}) requires the ESSENTIALS or PLUS feature plan; the pool is on LITE.")


def _prewarm_trigger(backend: CognitoIdpBackend, config: dict[str, Any]) -> None:
    """Start the pre token generation function's worker now, so the first sign-in does not pay its start."""
    from claimsctl.local.lambda_runtime import service

    lambda_config = config.get("LambdaConfig") or {}
    arn = (lambda_config.get("PreTokenGenerationConfig") or {}).get("LambdaArn") or lambda_config.get("PreTokenGeneration")
    function = service.find_function(backend.account_id, arn, backend.region_name) if arn else None
    if function is not None:
        service.prewarm(function)


def _checking_pool_config(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def wrapper(self: CognitoIdpBackend, first: str, config: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        check_lambda_version(config or {})
        existing = self.user_pools.get(first)  # `first` is the pool id on update, its name on create
        check_feature_plan(config or {}, existing.extended_config.get("UserPoolTier") if existing else None)
        if config is not None and not config.get("UserPoolTier"):  # DescribeUserPool shows the plan it is on
            config["UserPoolTier"] = (existing.extended_config.get("UserPoolTier") if existing else None) or DEFAULT_TIER
        result = original(self, first, config, *args, **kwargs)
        if result is not None:
            keys.of(result)  # a new pool's signing keys are made with it, as Cognito does
        _prewarm_trigger(self, config or {})
        return result

    return wrapper


def _with_stateless_tokens(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def __init__(self: CognitoIdpUserPool, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        token_state.adopt(self)

    return __init__


def _with_expiring_sessions(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def __init__(self: CognitoIdpBackend, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        pools.replace_sessions(self, token_state.ExpiringSessions())

    return __init__


def _protected_from_deletion(original: Callable[..., Any]) -> Callable[..., Any]:
    """DeleteUserPool refuses a pool with DeletionProtection ACTIVE (InvalidParameterException), as Cognito does:
    https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-deletion-protection.html"""

    @functools.wraps(original)
    def delete_user_pool(self: CognitoIdpBackend, user_pool_id: str) -> None:
        pool = self.user_pools.get(user_pool_id)
        if pool is not None and pool.extended_config.get("DeletionProtection") == "ACTIVE":
            raise InvalidParameterException(
                "The user pool cannot be deleted because deletion protection is activated. "
                "Deletion protection must be inactivated first.")
        original(self, user_pool_id)

    return delete_user_pool


_ACCOUNTS = (
    patches.wrap(CognitoIdpBackend, "delete_user_pool", _protected_from_deletion),
    patches.wrap(CognitoIdpUserPool, "__init__", _with_stateless_tokens),
    patches.wrap(CognitoIdpBackend, "__init__", _with_expiring_sessions),
    patches.replace(CognitoIdpUserPool, "sign_out", token_state.sign_out),
    patches.replace(CognitoIdpUserPool, "create_refresh_token", minting.create_refresh_token),
    patches.wrap(CognitoIdpBackend, "create_user_pool", _checking_pool_config),
    patches.wrap(CognitoIdpBackend, "update_user_pool", _checking_pool_config),
    patches.wrap(CognitoIdpResponse, "respond_to_auth_challenge", _with_client_metadata),
    patches.wrap(CognitoIdpResponse, "admin_respond_to_auth_challenge", _with_client_metadata),
)
_SIGN_IN = (
    patches.replace(CognitoIdpUserPool, "create_tokens_from_refresh_token", minting.create_tokens_from_refresh_token),
    patches.replace(CognitoIdpUserPool, "create_access_token", minting.create_access_token),
    patches.replace(CognitoIdpUserPool, "create_id_token", minting.create_id_token),
    patches.wrap(CognitoIdpBackend, "admin_initiate_auth", lambda original: _wrap_initiate(original, 1)),
    patches.wrap(CognitoIdpBackend, "initiate_auth", lambda original: _wrap_initiate(original, 0)),
    patches.replace(CognitoIdpBackend, "_validate_password", passwords.validate_password),
    patches.wrap(CognitoIdpBackend, "respond_to_auth_challenge", _wrap_respond),
)
# Cognito's whole wiring, in the order it is applied: ids first (every later wrapper of a pool's __init__
# sees the id Cognito would give); srp before the sign-in wrappers, so they see (and time) the whole call;
# existence after them, since it wraps every sign-in wrapper before it; the SECRET_HASH check last, so it
# runs first, before anything else looks at a call made for a client with a secret.
PATCHES = (*ids.PATCHES, *_ACCOUNTS, *resource_servers.PATCHES, *quotas.PATCHES, *clients.PATCHES,
           *usernames.PATCHES, *revoke.PATCHES, *refresh.PATCHES, *totp.PATCHES,
           *srp.PATCHES, *_SIGN_IN, *existence.PATCHES, *recovery.PATCHES, *user_api.PATCHES,
           *secret_hash.PATCHES)
