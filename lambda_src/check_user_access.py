"""CheckUserAccess, the standard design's access service: may this user see this project? One GetItem per call."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import boto3
from botocore.config import Config

from claimsctl_projects import from_item, is_valid

logger = logging.getLogger()
logger.setLevel(logging.INFO)

_DYNAMODB = boto3.client("dynamodb", config=Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 2}))


def user_projects(username: str) -> set[str]:
    item = _DYNAMODB.get_item(
        TableName=os.environ["USERS_TABLE"], Key={"userName": {"S": username}},
        ProjectionExpression="#projects", ExpressionAttributeNames={"#projects": "projects"},
    ).get("Item")
    projects, rejected = from_item(item)
    if rejected:
        logger.error(json.dumps({"event": "invalid_project_ids_dropped", "user": username,
                                 "dropped": rejected[:20], "count": len(rejected)}))
    return set(projects)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    project_id = event.get("projectId")
    if not is_valid(project_id):
        return {"allowed": False}
    return {"allowed": project_id in user_projects(str(event.get("username", "")))}
