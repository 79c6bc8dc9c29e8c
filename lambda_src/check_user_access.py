"""CheckUserAccess, the standard design's access service: may this user see this project? One GetItem per call."""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.config import Config

from user_projects import projects_from_item

_DYNAMODB = boto3.client("dynamodb", config=Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 2}))


def user_projects(username: str) -> set[str]:
    item = _DYNAMODB.get_item(
        TableName=os.environ["USERS_TABLE"], Key={"userName": {"S": username}},
        ProjectionExpression="#projects", ExpressionAttributeNames={"#projects": "projects"},
    ).get("Item")
    return set(projects_from_item(item))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"allowed": event.get("projectId") in user_projects(str(event.get("username", "")))}
