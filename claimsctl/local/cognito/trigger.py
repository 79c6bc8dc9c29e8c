"""The pre token generation trigger: the event Cognito sends, the call, and the response it accepts.

Follows the Cognito developer guide: V1_0 events customise the ID token with
string claims; V2_0 events customise both tokens, take JSON values and scopes; V3_0 events are V2_0's for
users, and also run for client-credentials grants (TokenGeneration_ClientCredentials), where only the
access token exists.
The function has 5 seconds, as Cognito gives it.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from moto.awslambda.models import LambdaFunction
from moto.cognitoidp.models import CognitoIdpUser, CognitoIdpUserPool

from claimsctl.local.cognito.errors import (
    InvalidLambdaResponseException,
    UnexpectedLambdaException,
    UserLambdaValidationException,
)
from claimsctl.local.lambda_runtime import permissions, service
from claimsctl_runtime.machines import MACHINE_SOURCE

TRIGGER = "PreTokenGeneration"
COGNITO_TIMEOUT_SECONDS = 5.0
COGNITO_ATTEMPTS = 3  # Cognito calls again when an attempt times out, up to three attempts in all
_SOURCE: contextvars.ContextVar[str] = contextvars.ContextVar("trigger_source", default="TokenGeneration_Authentication")
_SCOPES: contextvars.ContextVar[tuple[str, ...] | None] = contextvars.ContextVar("token_scopes", default=None)
_NONCE: contextvars.ContextVar[str | None] = contextvars.ContextVar("token_nonce", default=None)
_METADATA: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("client_metadata", default=None)


@contextlib.contextmanager
def token_context(source: str, scopes: list[str] | None = None, nonce: str | None = None,
                  metadata: dict[str, str] | None = None) -> Iterator[None]:
    """Tokens issued inside this block were asked for by `source` (a triggerSource value), with these scopes
    and the caller's ClientMetadata (passed to the trigger as request.clientMetadata)."""
    source_token = _SOURCE.set(source)
    scopes_token = _SCOPES.set(tuple(scopes) if scopes is not None else None)
    nonce_token = _NONCE.set(nonce)
    metadata_token = _METADATA.set(metadata if isinstance(metadata, dict) else None)
    try:
        yield
    finally:
        _SOURCE.reset(source_token)
        _SCOPES.reset(scopes_token)
        _NONCE.reset(nonce_token)
        _METADATA.reset(metadata_token)


def current_source() -> str:
    return _SOURCE.get()


def current_nonce() -> str | None:
    return _NONCE.get()


def current_scopes() -> list[str] | None:
    scopes = _SCOPES.get()
    return list(scopes) if scopes is not None else None


@dataclass
class ClaimChanges:
    add: dict[str, Any] = field(default_factory=dict)
    suppress: list[str] = field(default_factory=list)


@dataclass
class TokenOverrides:
    """What the trigger asked to change, before Cognito's rules are applied."""

    id_token: ClaimChanges = field(default_factory=ClaimChanges)
    access_token: ClaimChanges = field(default_factory=ClaimChanges)
    scopes_to_add: list[str] = field(default_factory=list)
    scopes_to_suppress: list[str] = field(default_factory=list)
    groups: dict[str, Any] | None = None


def configured_trigger(pool: CognitoIdpUserPool) -> tuple[str, str] | None:
    """(function ARN, LambdaVersion) of the pool's pre token generation trigger, if any."""
    config = pool.extended_config.get("LambdaConfig") or {}
    versioned = config.get("PreTokenGenerationConfig") or {}
    if versioned.get("LambdaArn"):
        return versioned["LambdaArn"], versioned.get("LambdaVersion") or "V1_0"
    if config.get("PreTokenGeneration"):
        return config["PreTokenGeneration"], "V1_0"
    return None


def build_event(pool: CognitoIdpUserPool, client_id: str, user: CognitoIdpUser, version: str,
                scopes: list[str]) -> dict[str, Any]:
    attributes = {a["Name"]: a["Value"] for a in user.attributes}
    attributes["cognito:user_status"] = str(getattr(user.status, "value", user.status))
    groups = sorted(user.groups, key=lambda g: (g.precedence if g.precedence is not None else 1 << 31, g.group_name))
    request: dict[str, Any] = {
        "userAttributes": attributes,
        "groupConfiguration": {
            "groupsToOverride": [g.group_name for g in groups],
            "iamRolesToOverride": [g.role_arn for g in groups if g.role_arn],
            "preferredRole": next((g.role_arn for g in groups if g.role_arn), None),
        },
    }
    if version != "V1_0":
        request["scopes"] = scopes
    if _METADATA.get():
        request["clientMetadata"] = dict(_METADATA.get() or {})
    return {
        "version": "1" if version == "V1_0" else version[1],
        "triggerSource": current_source(),
        "region": pool.region,
        "userPoolId": pool.id,
        "userName": user.username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "request": request,
        "response": {},
    }


def _function(pool: CognitoIdpUserPool, arn: str) -> LambdaFunction:
    function = service.find_function(pool.account_id, arn, pool.region)
    if function is None:
        raise UnexpectedLambdaException(TRIGGER, "ResourceNotFoundException")
    return function


def permits_cognito(function: LambdaFunction, pool: CognitoIdpUserPool) -> bool:
    """True when the function's resource policy lets this pool invoke it."""
    return permissions.permits(function, "cognito-idp.amazonaws.com", pool.arn, pool.account_id)


def invoke(pool: CognitoIdpUserPool, client_id: str, user: CognitoIdpUser, scopes: list[str]) -> TokenOverrides:
    """Run the pool's trigger, if it has one, and return the overrides it asks for."""
    configured = configured_trigger(pool)
    if configured is None:
        return TokenOverrides()
    arn, version = configured
    return _call(pool, arn, version, build_event(pool, client_id, user, version, scopes))


def build_machine_event(pool: CognitoIdpUserPool, client_id: str, scopes: list[str],
                        metadata: dict[str, str] | None) -> dict[str, Any]:
    """The V3_0 event of a client-credentials grant: no user, so no userName, attributes or groups; the
    client is callerContext.clientId. (AWS's page shows no machine event in full: the emulator sends the
    fewest fields, so a trigger that reads a user's fields fails here rather than on AWS.)"""
    request: dict[str, Any] = {"scopes": list(scopes)}
    if metadata:
        request["clientMetadata"] = dict(metadata)
    return {
        "version": "3",
        "triggerSource": MACHINE_SOURCE,
        "region": pool.region,
        "userPoolId": pool.id,
        "userName": None,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "request": request,
        "response": {},
    }


def invoke_for_client(pool: CognitoIdpUserPool, client_id: str, scopes: list[str],
                      metadata: dict[str, str] | None) -> TokenOverrides:
    """A client-credentials grant runs the trigger only when it is V3_0 (V1_0 and V2_0 events are for users)."""
    configured = configured_trigger(pool)
    if configured is None or configured[1] != "V3_0":
        return TokenOverrides()
    arn, version = configured
    return _call(pool, arn, version, build_machine_event(pool, client_id, scopes, metadata))


def _call(pool: CognitoIdpUserPool, arn: str, version: str, event: dict[str, Any]) -> TokenOverrides:
    function = _function(pool, arn)
    if not permits_cognito(function, pool):
        raise UnexpectedLambdaException(TRIGGER, "AccessDeniedException")
    for _attempt in range(COGNITO_ATTEMPTS):
        invocation = service.invoke_function(function, json.dumps(event).encode(), COGNITO_TIMEOUT_SECONDS)
        error = invocation.error()
        cut_off = error is not None and error.get("errorType") == "Sandbox.Timedout" \
            and function.timeout > COGNITO_TIMEOUT_SECONDS
        if not cut_off:
            break
    if error is not None:
        if cut_off:
            raise UnexpectedLambdaException(TRIGGER, "Socket timeout while invoking Lambda function")
        raise UserLambdaValidationException(TRIGGER, str(error.get("errorMessage", "")))
    return parse_response(invocation.payload, version)


def parse_response(payload: bytes, version: str) -> TokenOverrides:
    try:
        result = json.loads(payload)
    except ValueError as exc:
        raise InvalidLambdaResponseException() from exc
    if not isinstance(result, dict):
        raise InvalidLambdaResponseException()
    response = result.get("response") or {}
    if not isinstance(response, dict):
        raise InvalidLambdaResponseException()
    overrides = TokenOverrides()
    v1 = response.get("claimsOverrideDetails")
    if v1 is not None:
        _read_v1(_object(v1), overrides)
    v2 = response.get("claimsAndScopeOverrideDetails")
    if v2 is not None and version != "V1_0":
        _read_v2(_object(v2), overrides)
    return overrides


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidLambdaResponseException()
    return value


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidLambdaResponseException()
    return value


def _claims(value: Any, strings_only: bool) -> dict[str, Any]:
    claims = _object(value or {})
    for claim_value in claims.values():
        if strings_only and not isinstance(claim_value, str):
            raise InvalidLambdaResponseException()
        if not _is_claim_value(claim_value):
            raise InvalidLambdaResponseException()
    return claims


def _is_claim_value(value: Any) -> bool:
    if isinstance(value, (str, int, float, bool)):
        return True
    if isinstance(value, list):
        return all(isinstance(v, (str, int, float, bool)) for v in value)
    return isinstance(value, dict)


SCALAR_ONLY_ID_CLAIMS = frozenset({"email_verified", "phone_number_verified", "updated_at", "address"})


def _changes(block: dict[str, Any], strings_only: bool, id_token: bool = False) -> ClaimChanges:
    claims = _claims(block.get("claimsToAddOrOverride"), strings_only)
    if id_token and any(isinstance(claims.get(name), (list, dict)) for name in SCALAR_ONLY_ID_CLAIMS):
        # "In the ID token, you can populate complex objects to the values of claims except for
        # phone_number_verified, email_verified, updated_at, and address." (Cognito developer guide)
        raise InvalidLambdaResponseException()
    return ClaimChanges(claims, _strings(block.get("claimsToSuppress")))


def _read_v1(details: dict[str, Any], overrides: TokenOverrides) -> None:
    overrides.id_token = _changes(details, strings_only=True)
    if details.get("groupOverrideDetails") is not None or "groupOverrideDetails" in details:
        overrides.groups = details.get("groupOverrideDetails") or {}


def _read_v2(details: dict[str, Any], overrides: TokenOverrides) -> None:
    id_block = _object(details.get("idTokenGeneration") or {})
    access_block = _object(details.get("accessTokenGeneration") or {})
    overrides.id_token = _changes(id_block, strings_only=False, id_token=True)
    overrides.access_token = _changes(access_block, strings_only=False)
    overrides.scopes_to_add = _strings(access_block.get("scopesToAdd"))
    overrides.scopes_to_suppress = _strings(access_block.get("scopesToSuppress"))
    if any(" " in scope for scope in overrides.scopes_to_add):
        raise InvalidLambdaResponseException("Invalid scope: scopes cannot contain spaces")
    if "groupOverrideDetails" in details:
        overrides.groups = details.get("groupOverrideDetails") or {}
