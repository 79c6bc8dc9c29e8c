"""TOKEN Lambda authorizer: verifies the Cognito token, then allows exactly the routes of the caller's projects.

The policy lists every route the caller may reach (not just the one asked
for), so API Gateway's cached result is right for every route: another
project's route has no Allow and gets 403. A missing or invalid token raises
"Unauthorized" (401). `claimsctl_tokens` is claimsctl's verifier, which the
packager ships in this zip.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from claimsctl_projects import from_claim, to_claim_v1
from claimsctl_tokens import CognitoVerifier, TokenError

logger = logging.getLogger()
logger.setLevel(logging.INFO)

_VERIFIER = CognitoVerifier(
    user_pool_id=os.environ["USER_POOL_ID"],
    region=os.environ["AWS_REGION"],
    client_ids=(os.environ["CLIENT_ID"],),
    token_use=os.environ.get("TOKEN_USE") or None,
    endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),  # set only on the local emulator
)
ROUTE = "GET/projects/{project}/items"


def bearer_token(header: str) -> str:
    return header[7:].strip() if header[:7].lower() == "bearer " else header.strip()


def projects_of(claims: dict[str, Any], username: str) -> list[str]:
    """The valid project ids of the claim; anything else is dropped (and logged), never put in a policy ARN."""
    projects: list[str]
    projects, rejected = from_claim(claims.get(os.environ.get("CLAIM_NAME", "projects")))
    if rejected:
        logger.error(json.dumps({"event": "invalid_project_ids_dropped", "user": username,
                                 "dropped": rejected[:20], "count": len(rejected)}))
    return projects


def api_base(method_arn: str) -> str:
    """arn:aws:execute-api:region:account:api/stage/METHOD/path -> arn:aws:execute-api:region:account:api/stage"""
    prefix, _, rest = method_arn.partition(":execute-api:")
    parts = rest.split("/")
    return f"{prefix}:execute-api:{parts[0]}/{parts[1]}"


def policy(principal: str, effect: str, resources: list[str], context: dict[str, str]) -> dict[str, Any]:
    return {
        "principalId": principal,
        "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resources}]},
        "context": context,
    }


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        claims = _VERIFIER.verify(bearer_token(str(event.get("authorizationToken", ""))))
    except TokenError as error:
        logger.info(json.dumps({"event": "token_refused", "reason": type(error).__name__}))
        raise Exception("Unauthorized") from None  # API Gateway maps exactly this message to 401
    base = api_base(str(event["methodArn"]))
    username = str(claims.get("cognito:username") or claims.get("username") or "")
    projects = projects_of(claims, username)
    details = {"username": username, "projects": to_claim_v1(projects)}
    if not projects:
        return policy(str(claims["sub"]), "Deny", [f"{base}/*"], details)
    routes = [f"{base}/{ROUTE.format(project=project)}" for project in projects]
    return policy(str(claims["sub"]), "Allow", routes, details)
