"""The shipped routes: a project's items (read, create, delete), as handlers of declared routes
(stackInputs.json's "routes"; without it, these three). Who may call them was decided before, by
claims.routes_for (the shipped rules: viewer GET, editor POST, owner DELETE)."""

from __future__ import annotations

from typing import Any

import item_store

from claimsctl_runtime.handlers import Request


def list_items(request: Request) -> Any:
    """GET /projects/{projectId}/items: the project's items (up to 100)."""
    project_id = request.params["projectId"]
    return {"projectId": project_id, "items": item_store.project_items(project_id)}


def create_item(request: Request) -> Any:
    """POST /projects/{projectId}/items with {"title": "..."} (1-200 characters): 201 with the new item."""
    title = request.body.get("title") if isinstance(request.body, dict) else None
    if not (isinstance(title, str) and 0 < len(title) <= item_store.MAX_TITLE):
        return 400, {"message": f'Send a JSON body {{"title": "..."}} of 1 to {item_store.MAX_TITLE} characters.'}
    return 201, item_store.put_item(request.params["projectId"], title)


def delete_item(request: Request) -> Any:
    """DELETE /projects/{projectId}/items/{itemId}: gone (204), whether or not it was there."""
    item_store.remove_item(request.params["projectId"], request.params["itemId"])
    return 204, None
