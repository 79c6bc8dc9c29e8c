"""The optimized design's items routes, behind the claims authorizer: no access service is called.

The authorizer's policy already allows only the routes claims.routes_for gives the caller's claims; the
check is made again here from the claims in the authorizer context (defence in depth), at no I/O cost,
and for a machine caller from the scopes it holds too (API_IDENTIFIER: the API's resource server).
"""

from __future__ import annotations

import json
import os
from typing import Any

import claims

from claimsctl_runtime import machines, routes
from items import forbidden, project_of, request_path, serve


def _context(event: dict[str, Any]) -> dict[str, Any]:
    return (event.get("requestContext") or {}).get("authorizer") or {}


def verified_claims(event: dict[str, Any]) -> dict[str, Any]:
    context = _context(event)
    try:
        found = json.loads(str(context.get("claims") or "{}"))
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def allows(allowed_for: dict[str, Any], method: str, path: str, machine_scope: str | None = None) -> bool:
    """routes_for allows the request (and, for a machine caller, the scope it holds covers the method)."""
    allowed, _ = routes.checked(claims.routes_for(allowed_for))
    if machine_scope is not None:
        allowed = machines.within_scopes(allowed, machine_scope, os.environ.get("API_IDENTIFIER", ""))
    return routes.allowing(allowed, method, path) is not None


def machine_scope(event: dict[str, Any]) -> str | None:
    context = _context(event)
    return str(context.get("scope") or "") if context.get("principal") == machines.CLIENT else None


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    project_id = project_of(event)
    if project_id is None:
        return forbidden()
    if not allows(verified_claims(event), str(event.get("httpMethod", "")), request_path(event), machine_scope(event)):
        return forbidden()
    return serve(event, project_id)
