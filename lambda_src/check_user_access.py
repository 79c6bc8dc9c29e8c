"""CheckUserAccess, the standard design's access service: may this user (or machine client) make this
request? One GetItem per call, then the same claims_for and routes_for as the optimized design's
authorizer, on the row as it is now. Event: {"username", "principal": "user" or "client", "method", "path",
"route" (the declared route's path, with its {parameters}), "scope"}. For a machine client, a route is allowed
only with its scope of the API among the token's `scope`: the route's own (ROUTE_SCOPES) or its method's
(API_IDENTIFIER: the API's resource server), as the optimized design's authorizer and function decide: the
Cognito authorizer's scope check alone would pass a token holding any one of the method's scopes (`openid`).
"""

from __future__ import annotations

import logging
import os
from typing import Any

import boto3
import claims
from botocore.config import Config

from claimsctl_runtime import lookup, machines, routes

logger = logging.getLogger()
logger.setLevel(logging.INFO)

SCOPE_RULES = machines.scope_rules(os.environ)
_DYNAMODB = boto3.client("dynamodb", config=Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 2}))


def current_claims(username: str, kind: str = "user") -> dict[str, Any]:
    """The claims claims_for makes of the row as stored now (if it was written for this kind of principal),
    encoded as the trigger's (TOKEN_EVENT_VERSION: the stack's trigger event version), all of them: those
    that fit a token are the token's byte for byte, and past the budget the optimized design reads the row
    too (claimsctl_runtime.lookup)."""
    return lookup.claims_now(_DYNAMODB, os.environ["USERS_TABLE"], kind, username,
                             os.environ.get("TOKEN_EVENT_VERSION", "1"), claims.claims_for)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    username, method, path = (str(event.get(key) or "") for key in ("username", "method", "path"))
    if not username or not path.startswith("/"):
        return {"allowed": False}
    kind = machines.CLIENT if event.get("principal") == machines.CLIENT else "user"
    route = str(event.get("route") or "")
    if kind == machines.CLIENT and SCOPE_RULES.needed(method, route) not in str(event.get("scope") or "").split():
        return {"allowed": False}  # decided before reading the row: a token without the scope costs no read
    now = current_claims(username, kind)
    allowed, _ = routes.checked(claims.routes_for(now))
    if routes.allowing(allowed, method, path) is None:
        return {"allowed": False}
    return {"allowed": True, "claims": now}  # the router hands them to the route's handler
