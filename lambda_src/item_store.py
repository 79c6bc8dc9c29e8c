"""A project's items in the items table: read, create, delete (the shipped routes' data, lambda_src/item_routes.py).

Named item_store, not items: releases before declared routes shipped an items.py of another shape, which a
project's own lambda_src may still hold (upgrade-source keeps a file the user changed)."""

from __future__ import annotations

import os
import uuid

import boto3
from botocore.config import Config

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


def put_item(project_id: str, title: str) -> dict[str, str]:
    """A new item of the project, under a fresh id."""
    item_id = f"item-{uuid.uuid4().hex[:12]}"
    _DYNAMODB.put_item(TableName=os.environ["ITEMS_TABLE"], Item={
        "projectId": {"S": project_id}, "itemId": {"S": item_id}, "title": {"S": title}},
        ConditionExpression="attribute_not_exists(itemId)")
    return {"projectId": project_id, "itemId": item_id, "title": title}


def remove_item(project_id: str, item_id: str) -> None:
    """The item is gone, whether or not it was there (idempotent, as HTTP DELETE is)."""
    _DYNAMODB.delete_item(TableName=os.environ["ITEMS_TABLE"],
                          Key={"projectId": {"S": project_id}, "itemId": {"S": item_id}})
