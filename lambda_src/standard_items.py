"""The standard design's items routes (/standard/...), for comparison.

Behind a Cognito user pool authorizer (the token proves who, not what), so every request invokes
CheckUserAccess, which reads the users table and decides with the same claims_for and routes_for as the
optimized design: the two can never disagree, only differ in how fresh the row they read is.
"""

from __future__ import annotations

import json
import os
from typing import Any, NamedTuple

import boto3
from botocore.config import Config

from claimsctl_runtime import machines
from items import forbidden, project_of, request_path, serve

_LAMBDA = boto3.client("lambda", config=Config(connect_timeout=1, read_timeout=5, retries={"max_attempts": 2}))
PREFIX = "/standard"


class Caller(NamedTuple):
    kind: str  # "user" or "client"
    name: str  # the user name, or the machine's client id
    scope: str = ""  # a machine token's scopes (CheckUserAccess re-checks the API's scope of the method)


def caller(event: dict[str, Any]) -> Caller:
    """Who calls: a user, or a machine client with the scopes of its access token (the Cognito authorizer
    checked only that it holds one of the method's AuthorizationScopes, and `openid` is one of them)."""
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}
    if machines.is_machine_token(claims):
        return Caller(machines.CLIENT, str(claims["client_id"]), str(claims.get("scope") or ""))
    return Caller("user", str(claims.get("cognito:username") or claims.get("username") or ""))


def has_access(principal: Caller, method: str, path: str) -> bool:
    response = _LAMBDA.invoke(FunctionName=os.environ["CHECK_USER_ACCESS_FUNCTION"], Payload=json.dumps(
        {"username": principal.name, "principal": principal.kind, "method": method, "path": path,
         "scope": principal.scope}))
    if response.get("FunctionError"):
        raise RuntimeError(f"CheckUserAccess failed: {response['Payload'].read()[:200]!r}")
    return bool(json.loads(response["Payload"].read()).get("allowed"))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    project_id = project_of(event)
    if project_id is None:
        return forbidden()
    path = request_path(event).removeprefix(PREFIX)
    if not has_access(caller(event), str(event.get("httpMethod", "")), path):
        return forbidden()
    return serve(event, project_id)
