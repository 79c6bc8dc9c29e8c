"""The optimized design's items routes, behind the claims authorizer: no access service is called.

The authorizer's policy already allows only the routes claims.routes_for gives the caller's claims; the
check is made again here from the claims in the authorizer context (defence in depth), at no I/O cost.
"""

from __future__ import annotations

import json
from typing import Any

import claims

from claimsctl_runtime import routes
from items import forbidden, project_of, request_path, serve


def verified_claims(event: dict[str, Any]) -> dict[str, Any]:
    context = (event.get("requestContext") or {}).get("authorizer") or {}
    try:
        found = json.loads(str(context.get("claims") or "{}"))
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def allows(allowed_for: dict[str, Any], method: str, path: str) -> bool:
    allowed, _ = routes.checked(claims.routes_for(allowed_for))
    return routes.allowing(allowed, method, path) is not None


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    project_id = project_of(event)
    if project_id is None:
        return forbidden()
    if not allows(verified_claims(event), str(event.get("httpMethod", "")), request_path(event)):
        return forbidden()
    return serve(event, project_id)
