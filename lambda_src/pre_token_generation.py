"""Cognito pre token generation trigger: puts the user's projects, read from DynamoDB, into the tokens.

One GetItem per sign-in or refresh. Only valid project ids (claimsctl_projects) reach the
claim: a stored value that is not one is dropped and logged, never passed on. A V1_0 event gets the claim in the ID token
as a string of sorted, comma-separated project ids (V1 takes strings only); a
V2_0 event gets it as a list in both the ID and the access token.

Configuration (environment): USERS_TABLE, CLAIM_NAME (default "projects"),
ON_LOOKUP_FAILURE: "emptyClaim" (default: sign-in proceeds with no project
access) or "blockSignIn" (sign-in fails with a message the user may see),
MAX_CLAIM_BYTES (default 5000).

A token travels in the Authorization header, and API Gateway refuses a request
line plus headers over 10,240 bytes. A claim larger than MAX_CLAIM_BYTES would
make the token unusable, so the trigger never issues it: the claim is left
empty, `<claim>_overflow` is set, and one error line is logged (fail closed:
such a user has no project access until the list is trimmed).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from claimsctl_projects import from_item, to_claim_v1

logger = logging.getLogger()
logger.setLevel(logging.INFO)

# Cognito gives the trigger 5 s per attempt: fail fast and let the fallback decide.
_DYNAMODB = boto3.client(
    "dynamodb",
    config=Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 2, "mode": "standard"}),
)


def _prime() -> None:
    """Prepare the client's first request during init, without sending it.

    botocore's first call builds and caches what later calls reuse (tens of ms: serializers, endpoint
    rules, compiled patterns). Lambda's init phase has its own 10 s, while each sign-in has Cognito's 5 s,
    so that work happens here: one GetItem is prepared and signed, and answered locally by a before-send
    hook, so init makes no network call and cannot be slowed by DynamoDB. Inside Lambda only.
    """
    if not os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return
    from botocore.awsrequest import AWSResponse

    class _EmptyBody:
        def stream(self, **_: Any) -> Any:
            yield b"{}"

    def answer_locally(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, {"Content-Type": "application/x-amz-json-1.0"}, _EmptyBody())

    event = "before-send.dynamodb.GetItem"
    _DYNAMODB.meta.events.register_first(event, answer_locally, unique_id="claimsctl-prime")
    try:
        _DYNAMODB.get_item(TableName=os.environ.get("USERS_TABLE", "init"), Key={"userName": {"S": "init"}},
                           ProjectionExpression="#projects", ExpressionAttributeNames={"#projects": "projects"})
    except (BotoCoreError, ClientError):
        pass
    finally:
        _DYNAMODB.meta.events.unregister(event, unique_id="claimsctl-prime")


_prime()


class ProjectLookupFailed(Exception):
    """Raised only with ON_LOOKUP_FAILURE=blockSignIn; Cognito shows the message to the caller."""


DEFAULT_MAX_CLAIM_BYTES = 5000


def _settings() -> tuple[str, str, str]:
    return (
        os.environ["USERS_TABLE"],
        os.environ.get("CLAIM_NAME", "projects"),
        os.environ.get("ON_LOOKUP_FAILURE", "emptyClaim"),
    )


def claim_size(projects: list[str]) -> int:
    """Bytes the claim adds to the token's JSON (as a list, the larger of the two encodings)."""
    return len(json.dumps(projects, separators=(",", ":")))


def within_budget(username: str, projects: list[str]) -> tuple[list[str], bool]:
    """The projects to put in the token, and whether they overflowed the size budget."""
    limit = int(os.environ.get("MAX_CLAIM_BYTES", DEFAULT_MAX_CLAIM_BYTES))
    size = claim_size(projects)
    if size <= limit:
        return projects, False
    logger.error(json.dumps({"event": "claim_too_large", "user": username, "projects": len(projects),
                             "bytes": size, "limit": limit, "action": "claim left empty; no project access"}))
    return [], True


def lookup_projects(table: str, username: str) -> list[str]:
    response = _DYNAMODB.get_item(
        TableName=table,
        Key={"userName": {"S": username}},
        ProjectionExpression="#projects",
        ExpressionAttributeNames={"#projects": "projects"},
    )
    projects: list[str]
    projects, rejected = from_item(response.get("Item"))
    if rejected:
        logger.error(json.dumps({"event": "invalid_project_ids_dropped", "table": table, "user": username,
                                 "dropped": rejected[:20], "count": len(rejected)}))
    return projects


def projects_or_fallback(table: str, username: str, on_failure: str) -> list[str]:
    try:
        return lookup_projects(table, username)
    except (BotoCoreError, ClientError) as error:
        logger.error(json.dumps({
            "event": "project_lookup_failed", "table": table, "user": username,
            "error": type(error).__name__, "detail": str(error)[:300], "fallback": on_failure,
        }))
        if on_failure == "blockSignIn":
            raise ProjectLookupFailed("Your projects could not be loaded; please try again shortly") from None
        return []


def v1_response(claim: str, projects: list[str], overflow: bool = False) -> dict[str, Any]:
    claims = {claim: to_claim_v1(projects), **({f"{claim}_overflow": "true"} if overflow else {})}
    return {"claimsOverrideDetails": {"claimsToAddOrOverride": claims}}


def v2_response(claim: str, projects: list[str], overflow: bool = False) -> dict[str, Any]:
    add = {"claimsToAddOrOverride": {claim: projects, **({f"{claim}_overflow": True} if overflow else {})}}
    return {"claimsAndScopeOverrideDetails": {"idTokenGeneration": add, "accessTokenGeneration": add}}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if not str(event.get("triggerSource", "")).startswith("TokenGeneration_") or not event.get("userName"):
        return event
    table, claim, on_failure = _settings()
    projects, overflow = within_budget(event["userName"], projects_or_fallback(table, event["userName"], on_failure))
    build = v1_response if str(event.get("version")) == "1" else v2_response
    event["response"] = build(claim, projects, overflow)
    return event
