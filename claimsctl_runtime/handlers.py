"""The handler contract of the API's declared routes, the same in both designs (docs/api.md).

A route's handler is `def handler(request)`. `request` has `.principal` (the user name, or a machine's client
id), `.claims` (verified), `.params` (path parameters), `.query`, `.body` (parsed JSON, or None), `.method`
and `.path`. It returns a JSON-serialisable body (200) or `(status, body)`; a body of None sends no body.
An exception is logged (with its traceback) and answered 500 with a generic body: its text never leaves.
Access was decided before the handler runs, by claims.routes_for in either design: a handler never repeats it.

Standard library only: shipped in the Lambda zip with the rest of claimsctl_runtime.
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from claimsctl_runtime.routes import SEGMENT

logger = logging.getLogger()
INTERNAL_ERROR = {"message": "Internal server error"}
NO_ACCESS = {"message": "You have no access to this project"}


@dataclass(frozen=True)
class Request:
    principal: str
    claims: Mapping[str, Any]
    params: Mapping[str, str]
    query: Mapping[str, str]
    body: Any
    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)


# The caller's credentials never reach a handler: a handler that logs its request must not log a token.
WITHHELD_HEADERS = frozenset({"authorization", "cookie", "x-amz-security-token"})


def shown_headers(raw: object) -> dict[str, str]:
    """The request's headers a handler sees: lower-case names, the caller's credentials left out."""
    found = raw if isinstance(raw, dict) else {}
    return {str(k).lower(): str(v) for k, v in found.items() if str(k).lower() not in WITHHELD_HEADERS}


def respond(status: int, body: Any) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(body) if body is not None else ""}


def forbidden() -> dict[str, Any]:
    return respond(403, NO_ACCESS)


def concrete_path(resource: str, params: Mapping[str, str]) -> str:
    """The request's path within the API, from its resource and path parameters (a custom domain's base path,
    which `path` carries on AWS, never changes which route it is)."""
    for name, value in params.items():
        resource = resource.replace("{" + str(name) + "}", str(value))
    return resource


def safe_params(event: Mapping[str, Any]) -> dict[str, str] | None:
    """The path parameters, when every value is a safe id (letters, digits, '_' and '-'); None otherwise, so
    no value can reach a route decision or a handler with a separator or a wildcard in it."""
    params = {str(k): str(v) for k, v in (event.get("pathParameters") or {}).items()}
    return params if all(SEGMENT.fullmatch(value) for value in params.values()) else None


def parsed_body(event: Mapping[str, Any]) -> tuple[bool, Any]:
    """(the body is JSON or absent, its value)."""
    text = event.get("body")
    if text is None or text == "":
        return True, None
    try:
        return True, json.loads(text)
    except ValueError:
        return False, None


_LOADED: dict[str, Callable[[Request], Any]] = {}


def load(handler: str) -> Callable[[Request], Any]:
    """`module.function` of the Lambda code, imported once per worker."""
    if handler not in _LOADED:
        module, _, function = handler.rpartition(".")
        _LOADED[handler] = getattr(importlib.import_module(module), function)
    return _LOADED[handler]


def run(handler: str, request: Request) -> dict[str, Any]:
    """Call the route's handler and make its answer an API Gateway proxy response."""
    try:
        answer = load(handler)(request)
        status, body = answer if _is_pair(answer) else (200, answer)
        return respond(int(status), body)
    except Exception:  # the handler's failure is logged, never returned
        logger.exception(json.dumps({"event": "handler_failed", "handler": handler, "method": request.method,
                                     "path": request.path}))
        return respond(500, INTERNAL_ERROR)


def _is_pair(answer: Any) -> bool:
    return isinstance(answer, tuple) and len(answer) == 2 and isinstance(answer[0], int) \
        and not isinstance(answer[0], bool)
