"""GET /projects/{projectId}/items behind the claims authorizer: no access service is called.

The authorizer's policy already allows only the caller's projects; the check is
repeated here from the authorizer context (defence in depth), at no I/O cost.
"""

from __future__ import annotations

from typing import Any

from claimsctl_projects import from_claim, is_valid
from items import forbidden, items_response


def allowed_projects(event: dict[str, Any]) -> set[str]:
    context = (event.get("requestContext") or {}).get("authorizer") or {}
    return set(from_claim(str(context.get("projects", "")))[0])


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    project_id = (event.get("pathParameters") or {}).get("projectId", "")
    if not is_valid(project_id) or project_id not in allowed_projects(event):
        return forbidden()
    return items_response(project_id)
