"""Cognito pre token generation trigger: the principal's row, read from DynamoDB, made into claims by
claims.claims_for, and put in the tokens Cognito is about to issue.

The principal is the signing-in user (its user name), or with trigger V3_0 a machine client asking for a
client-credentials token (its client id; the row must be marked as a client's: claimsctl_runtime.machines).

One GetItem per sign-in or refresh (the whole row: claims_for decides what it reads). The rest is
claimsctl's generic code (claimsctl_runtime.claiming): reserved names refused, values encoded for the
event's version (V1_0 takes strings only), the size budget enforced fail-closed, one error line for each.

Configuration (environment): USERS_TABLE; ON_LOOKUP_FAILURE: "emptyClaim" (default: sign-in proceeds as
if the principal had no row) or "blockSignIn" (sign-in fails with a message the user may see);
MAX_CLAIM_BYTES (default 5000).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import boto3
import claims
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from claimsctl_runtime import claiming, machines, rows

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
        _DYNAMODB.get_item(TableName=os.environ.get("USERS_TABLE", "init"), Key={"userName": {"S": "init"}})
    except (BotoCoreError, ClientError):
        pass
    finally:
        _DYNAMODB.meta.events.unregister(event, unique_id="claimsctl-prime")


_prime()


class ProjectLookupFailed(Exception):
    """Raised only with ON_LOOKUP_FAILURE=blockSignIn; Cognito shows the message to the caller."""


def read_row(table: str, principal: str) -> dict[str, Any] | None:
    item = _DYNAMODB.get_item(TableName=table, Key={"userName": {"S": principal}}).get("Item")
    return rows.plain(item)


def row_or_fallback(table: str, principal: str, on_failure: str) -> dict[str, Any] | None:
    """The principal's row; on a DynamoDB failure, no row (emptyClaim) or a refused sign-in (blockSignIn)."""
    try:
        return read_row(table, principal)
    except (BotoCoreError, ClientError) as error:
        logger.error(json.dumps({
            "event": "project_lookup_failed", "table": table, "user": principal,
            "error": type(error).__name__, "detail": str(error)[:300], "fallback": on_failure,
        }))
        if on_failure == "blockSignIn":
            raise ProjectLookupFailed("Your projects could not be loaded; please try again shortly") from None
        return None


def principal_row(table: str, kind: str, principal: str, on_failure: str) -> dict[str, Any] | None:
    """The principal's row when it was written for its kind (a user's, or a client's); otherwise none."""
    row = row_or_fallback(table, principal, on_failure)
    if row is not None and machines.row_for(kind, row) is None:
        logger.error(json.dumps({"event": "row_of_other_kind", "principal": principal, "kind": kind,
                                 "action": "no projects from it"}))
        return None
    return row


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    kind, principal = machines.principal_of(event)
    if not str(event.get("triggerSource", "")).startswith("TokenGeneration_") or not principal:
        return event
    row = principal_row(os.environ["USERS_TABLE"], kind, principal, os.environ.get("ON_LOOKUP_FAILURE", "emptyClaim"))
    limit = int(os.environ.get("MAX_CLAIM_BYTES", claiming.DEFAULT_MAX_CLAIM_BYTES))
    event["response"] = claiming.token_response(principal, str(event.get("version")),
                                                claims.claims_for(principal, row), limit)
    return event
