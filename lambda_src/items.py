"""Reading a project's items, and the API Gateway proxy responses both API functions return."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from botocore.config import Config

_DYNAMODB = boto3.client("dynamodb", config=Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 3}))


def project_items(project_id: str, limit: int = 100) -> list[dict[str, str]]:
    response = _DYNAMODB.query(
        TableName=os.environ["ITEMS_TABLE"],
        KeyConditionExpression="projectId = :project",
        ExpressionAttributeValues={":project": {"S": project_id}},
        Limit=limit,
    )
    return [{name: value.get("S", "") for name, value in item.items()} for item in response.get("Items", [])]


def respond(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def items_response(project_id: str) -> dict[str, Any]:
    return respond(200, {"projectId": project_id, "items": project_items(project_id)})


def forbidden() -> dict[str, Any]:
    return respond(403, {"message": "You have no access to this project"})
