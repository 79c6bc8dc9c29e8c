"""GET /standard/projects/{projectId}/items: the standard design, for comparison.

Behind a Cognito user pool authorizer (the token proves who, not what), so
every request invokes CheckUserAccess, which reads the users table.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from botocore.config import Config

from items import forbidden, items_response

_LAMBDA = boto3.client("lambda", config=Config(connect_timeout=1, read_timeout=5, retries={"max_attempts": 2}))


def caller(event: dict[str, Any]) -> str:
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}
    return str(claims.get("cognito:username") or claims.get("username") or "")


def has_access(username: str, project_id: str) -> bool:
    response = _LAMBDA.invoke(FunctionName=os.environ["CHECK_USER_ACCESS_FUNCTION"],
                              Payload=json.dumps({"username": username, "projectId": project_id}))
    if response.get("FunctionError"):
        raise RuntimeError(f"CheckUserAccess failed: {response['Payload'].read()[:200]!r}")
    return bool(json.loads(response["Payload"].read()).get("allowed"))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    project_id = (event.get("pathParameters") or {}).get("projectId", "")
    if not has_access(caller(event), project_id):
        return forbidden()
    return items_response(project_id)
