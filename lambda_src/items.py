"""A project's items (read, create, delete) and the API Gateway proxy responses every API function returns."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import boto3
from botocore.config import Config

from claimsctl_runtime.projects import is_valid

_DYNAMODB = boto3.client("dynamodb", config=Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 3}))
MAX_TITLE = 200


def project_items(project_id: str, limit: int = 100) -> list[dict[str, str]]:
    response = _DYNAMODB.query(
        TableName=os.environ["ITEMS_TABLE"],
        KeyConditionExpression="projectId = :project",
        ExpressionAttributeValues={":project": {"S": project_id}},
        Limit=limit,
    )
    return [{name: value.get("S", "") for name, value in item.items()} for item in response.get("Items", [])]


def respond(status: int, body: dict[str, Any] | None) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(body) if body is not None else ""}


def forbidden() -> dict[str, Any]:
    return respond(403, {"message": "You have no access to this project"})


def _title(body: str | None) -> str | None:
    try:
        document = json.loads(body or "")
    except ValueError:
        return None
    title = document.get("title") if isinstance(document, dict) else None
    return title if isinstance(title, str) and 0 < len(title) <= MAX_TITLE else None


def create_item(project_id: str, body: str | None) -> dict[str, Any]:
    """POST: a JSON body {"title": "..."} (1-200 characters) becomes an item; 201 with its id."""
    title = _title(body)
    if title is None:
        return respond(400, {"message": f'Send a JSON body {{"title": "..."}} of 1 to {MAX_TITLE} characters.'})
    item_id = f"item-{uuid.uuid4().hex[:12]}"
    _DYNAMODB.put_item(TableName=os.environ["ITEMS_TABLE"], Item={
        "projectId": {"S": project_id}, "itemId": {"S": item_id}, "title": {"S": title}},
        ConditionExpression="attribute_not_exists(itemId)")
    return respond(201, {"projectId": project_id, "itemId": item_id, "title": title})


def delete_item(project_id: str, item_id: str) -> dict[str, Any]:
    """DELETE: the item is gone (204), whether or not it was there (idempotent, as HTTP DELETE is)."""
    _DYNAMODB.delete_item(TableName=os.environ["ITEMS_TABLE"],
                          Key={"projectId": {"S": project_id}, "itemId": {"S": item_id}})
    return respond(204, None)


def project_of(event: dict[str, Any]) -> str | None:
    """The request's project id, when it and the item id (if any) are safe ids; None otherwise."""
    parameters = event.get("pathParameters") or {}
    project_id, item_id = parameters.get("projectId", ""), parameters.get("itemId")
    if not is_valid(project_id) or (item_id is not None and not is_valid(item_id)):
        return None
    return str(project_id)


def request_path(event: dict[str, Any]) -> str:
    """The request's path within the API, from its resource and path parameters (so a custom domain's base
    path, which `path` carries on AWS, never changes which route it is)."""
    path = str(event.get("resource") or event.get("path") or "")
    for name, value in (event.get("pathParameters") or {}).items():
        path = path.replace("{" + str(name) + "}", str(value))
    return path


def serve(event: dict[str, Any], project_id: str) -> dict[str, Any]:
    """The items operation the request names (the caller's access was checked before)."""
    method = str(event.get("httpMethod", "GET")).upper()
    if method == "POST":
        return create_item(project_id, event.get("body"))
    if method == "DELETE":
        return delete_item(project_id, str((event.get("pathParameters") or {}).get("itemId", "")))
    return respond(200, {"projectId": project_id, "items": project_items(project_id)})
