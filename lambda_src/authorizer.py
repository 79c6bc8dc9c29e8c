"""TOKEN Lambda authorizer: verifies the Cognito token, then allows exactly the routes claims.routes_for
gives its verified claims.

The policy lists every allowed route and method (not just the one asked for), so API Gateway's cached
result is right for every request with this token: anything else has no Allow and gets 403. A route
segment that is neither a safe id nor a whole "*" is dropped and logged (claimsctl_runtime.routes), so no
data can put a wildcard or a separator into an ARN. A missing or invalid token raises "Unauthorized" (401).
The functions behind it get the claims in the context and check the same routes again.

Machine tokens (client-credentials grant, trigger V3_0) of this pool are accepted from any app client when
they hold one of the API's scopes (API_IDENTIFIER/items.read, items.write, or a scope a route names:
ROUTE_SCOPES), and then allow only the routes whose scope they hold, as the declared routes (ROUTES) say
(claimsctl_runtime.machines). People's tokens must come from the web client.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from typing import Any

import claims

from claimsctl_runtime import lookup, machines, routes
from claimsctl_runtime.reserved import added_by_project
from claimsctl_runtime.tokens import CognitoVerifier, TokenError

logger = logging.getLogger()
logger.setLevel(logging.INFO)

API_IDENTIFIER = os.environ.get("API_IDENTIFIER", "")
SCOPE_RULES = machines.scope_rules(os.environ)
_VERIFIER = CognitoVerifier(
    user_pool_id=os.environ["USER_POOL_ID"],
    region=os.environ["AWS_REGION"],
    client_ids=(os.environ["CLIENT_ID"],),
    token_use=os.environ.get("TOKEN_USE") or None,
    endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),  # set only on the local emulator
    machine_scopes=machines.all_scopes(API_IDENTIFIER, SCOPE_RULES.own) if API_IDENTIFIER else (),
)
_DYNAMODB: Any = None  # made at the first lookup: most tokens carry their claims


def looked_up(verified: dict[str, Any], username: str) -> dict[str, Any]:
    """The verified claims with those claims_for makes of the principal's row now (a marked token)."""
    global _DYNAMODB
    if _DYNAMODB is None:
        import boto3
        from botocore.config import Config

        _DYNAMODB = boto3.client("dynamodb", config=Config(connect_timeout=1, read_timeout=1,
                                                           retries={"max_attempts": 2, "mode": "standard"}))
    kind, table = machines.CLIENT if machines.is_machine_token(verified) else "user", os.environ.get("USERS_TABLE")
    if not table:  # a project's own template from before the lookup: no row to read, so no access from it
        logger.error(json.dumps({"event": "lookup_unavailable", "user": username, "action": "denied; deploy the "
                                 "shipped templates (the authorizer needs USERS_TABLE and dynamodb:GetItem)"}))
    found = lookup.claims_now(_DYNAMODB, table, kind, username, os.environ.get("TOKEN_EVENT_VERSION", "1"),
                              claims.claims_for)
    return {**verified, **found}


def bearer_token(header: str) -> str:
    return header[7:].strip() if header[:7].lower() == "bearer " else header.strip()


def api_base(method_arn: str) -> str:
    """arn:aws:execute-api:region:account:api/stage/METHOD/path -> arn:aws:execute-api:region:account:api/stage"""
    prefix, _, rest = method_arn.partition(":execute-api:")
    parts = rest.split("/")
    return f"{prefix}:execute-api:{parts[0]}/{parts[1]}"


def custom_claims(verified: dict[str, Any]) -> dict[str, Any]:
    """The claims a project's claims_for may have added: what the functions behind the API re-check."""
    return {k: v for k, v in verified.items() if added_by_project(k)}


def allowed_routes(verified: dict[str, Any], username: str) -> list[routes.Route]:
    """The routes routes_for gives the claims claims_for added (what the router and CheckUserAccess decide by, so
    the three never disagree), cut to the API scopes a machine token holds."""
    allowed, rejected = routes.checked(claims.routes_for(custom_claims(verified)))
    if rejected:
        logger.error(json.dumps({"event": "routes_dropped", "user": username, "dropped": rejected[:20],
                                 "count": len(rejected)}))
    return machines.permitted(allowed, verified, SCOPE_RULES)


# routes_for is a pure function of the claims claims_for added (docs/claims.md), so a refreshed token, whose
# other claims are the last one's, is decided without running it again: decisions are kept by every claim but
# a token's own id and times (the scope of a machine token included). Bounded; per warm worker.
TOKEN_OWN = frozenset({"jti", "origin_jti", "event_id", "at_hash", "nonce", "iat", "nbf", "exp", "auth_time"})


@functools.lru_cache(maxsize=256)
def _decided(base: str, claims_json: str, username: str) -> tuple[str, ...]:
    return tuple(route.arn(base) for route in allowed_routes(json.loads(claims_json), username))


def resources_for(verified: dict[str, Any], username: str, base: str) -> tuple[str, ...]:
    rest = {k: v for k, v in verified.items() if k not in TOKEN_OWN}
    return _decided(base, json.dumps(rest, sort_keys=True, separators=(",", ":"), default=str), username)


def policy(principal: str, effect: str, resources: list[str], context: dict[str, str]) -> dict[str, Any]:
    return {
        "principalId": principal,
        "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resources}]},
        "context": context,
    }


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        verified = _VERIFIER.verify(bearer_token(str(event.get("authorizationToken", ""))))
    except TokenError as error:
        logger.info(json.dumps({"event": "token_refused", "reason": type(error).__name__}))
        raise Exception("Unauthorized") from None  # API Gateway maps exactly this message to 401
    base = api_base(str(event["methodArn"]))
    username = str(verified.get("cognito:username") or verified.get("username") or verified.get("client_id") or "")
    details = {"username": username, "claims": json.dumps(custom_claims(verified), separators=(",", ":"))}
    if machines.is_machine_token(verified):  # the functions behind re-check the scopes too
        details.update(principal=machines.CLIENT, scope=str(verified.get("scope", "")))
    if lookup.marked(verified):  # not cached per worker: the row may change, the policy is cached by token
        verified = looked_up(verified, username)
        details["claims"] = json.dumps(custom_claims(verified), separators=(",", ":"))
        resources = tuple(r.arn(base) for r in lookup.policy_routes(allowed_routes(verified, username)))
    else:
        resources = resources_for(verified, username, base)
    if not resources:
        return policy(str(verified["sub"]), "Deny", [f"{base}/*"], details)
    return policy(str(verified["sub"]), "Allow", list(resources), details)
