"""The API's one function per design: it finds the declared route of the request (ROUTES: "METHOD /path" ->
module.function, from stackInputs.json's "routes"), decides access with claims.routes_for, and calls the
route's handler with a Request (claimsctl_runtime.handlers).

- `optimized`: behind the claims authorizer, whose policy already allowed only the routes routes_for gives the
  token's claims; the decision is made again here from the claims in the authorizer context (no I/O), and for
  a machine caller from the scopes it holds too: the request's route's own scope (ROUTE_SCOPES) or its
  method's (API_IDENTIFIER: the API's resource server).
- `standard`: under /standard, behind the Cognito user pool authorizer (the token proves who, not what): every
  request asks CheckUserAccess, which reads the users table and decides with the same routes_for on the row as
  it is now, and returns those claims for the handler.
"""

from __future__ import annotations

import functools
import json
import os
from typing import Any

import claims

from claimsctl_runtime import handlers, machines, routes

ROUTES: dict[str, str] = json.loads(os.environ.get("ROUTES") or "{}")
SCOPE_RULES = machines.scope_rules(os.environ)
_LAMBDA = None


def _lambda() -> Any:
    global _LAMBDA
    if _LAMBDA is None:  # imported on first use: the optimized design never pays for boto3 unless a handler does
        import boto3
        from botocore.config import Config

        _LAMBDA = boto3.client("lambda", config=Config(connect_timeout=1, read_timeout=5, retries={"max_attempts": 2}))
    return _LAMBDA


if os.environ.get("CHECK_USER_ACCESS_FUNCTION"):  # the standard design's function: its client made during init
    _lambda()


def _context(event: dict[str, Any]) -> dict[str, Any]:
    return (event.get("requestContext") or {}).get("authorizer") or {}


def _request(event: dict[str, Any], principal: str, verified: dict[str, Any], params: dict[str, str],
             path: str) -> handlers.Request | None:
    ok, body = handlers.parsed_body(event)
    if not ok:
        return None
    query = {str(k): str(v) for k, v in (event.get("queryStringParameters") or {}).items()}
    return handlers.Request(principal, verified, params, query, body, str(event.get("httpMethod", "")).upper(), path,
                            handlers.shown_headers(event.get("headers")))


def _serve(event: dict[str, Any], resource: str, decide: Any) -> dict[str, Any]:
    method = str(event.get("httpMethod", "")).upper()
    handler = ROUTES.get(f"{method} {resource}")
    params = handlers.safe_params(event)
    if handler is None or params is None:
        return handlers.forbidden()
    path = handlers.concrete_path(resource, params)
    decided = decide(method, path, resource)
    if decided is None:
        return handlers.forbidden()
    principal, verified = decided
    request = _request(event, principal, verified, params, path)
    if request is None:
        return handlers.respond(400, {"message": "The body is not JSON."})
    return handlers.run(handler, request)


def optimized_claims(event: dict[str, Any]) -> dict[str, Any]:
    try:
        found = json.loads(str(_context(event).get("claims") or "{}"))
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


@functools.lru_cache(maxsize=64)
def _allowed(claims_json: str) -> tuple[routes.Route, ...]:
    """The routes the context's claims allow (routes_for is a pure function of the claims: docs/claims.md), kept
    per warm worker: a lookup principal's claims list thousands of grants (claimsctl_runtime.lookup)."""
    try:
        found = json.loads(claims_json)
    except ValueError:
        found = {}
    allowed, _ = routes.checked(claims.routes_for(found if isinstance(found, dict) else {}))
    return tuple(allowed)


def optimized(event: dict[str, Any], context: Any) -> dict[str, Any]:
    authorizer = _context(event)
    verified = optimized_claims(event)
    scope = str(authorizer.get("scope") or "") if authorizer.get("principal") == machines.CLIENT else None

    def decide(method: str, path: str, resource: str) -> tuple[str, dict[str, Any]] | None:
        if scope is not None and SCOPE_RULES.needed(method, resource) not in scope.split():
            return None  # a machine token holds the scope of this very route, or it is refused
        allowed = _allowed(str(authorizer.get("claims") or "{}"))
        return (str(authorizer.get("username") or ""), verified) if routes.allowing(allowed, method, path) else None

    return _serve(event, str(event.get("resource") or ""), decide)


def standard_caller(event: dict[str, Any]) -> tuple[str, str, str]:
    """(kind, name, scope): a user, or a machine client with the scopes of its access token (the Cognito
    authorizer checked only that it holds one of the method's AuthorizationScopes, and `openid` is one)."""
    verified = _context(event).get("claims") or {}
    if machines.is_machine_token(verified):
        return machines.CLIENT, str(verified["client_id"]), str(verified.get("scope") or "")
    return "user", str(verified.get("cognito:username") or verified.get("username") or ""), ""


def standard(event: dict[str, Any], context: Any) -> dict[str, Any]:
    kind, name, scope = standard_caller(event)

    def decide(method: str, path: str, resource: str) -> tuple[str, dict[str, Any]] | None:
        response = _lambda().invoke(FunctionName=os.environ["CHECK_USER_ACCESS_FUNCTION"], Payload=json.dumps(
            {"username": name, "principal": kind, "method": method, "path": path, "route": resource,
             "scope": scope}))
        if response.get("FunctionError"):
            raise RuntimeError(f"CheckUserAccess failed: {response['Payload'].read()[:200]!r}")
        answer = json.loads(response["Payload"].read())
        return (name, dict(answer.get("claims") or {})) if answer.get("allowed") else None

    resource = str(event.get("resource") or "")
    if not resource.startswith(routes.STANDARD_DESIGN + "/"):
        return handlers.forbidden()
    return _serve(event, resource.removeprefix(routes.STANDARD_DESIGN), decide)
