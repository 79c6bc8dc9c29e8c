"""Users: the Cognito user and its DynamoDB row of projects, always created, changed and removed together."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from claimsctl.aws import error_details
from claimsctl.errors import UserError

PROJECT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
PROJECT_ID_HINT = "1-64 letters, digits, '_' or '-', starting with a letter or digit"
USERNAME = re.compile(r"^[\w.@+-]{1,128}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Target:
    """Where users live: the stack's user pool and users table."""

    user_pool_id: str
    table_name: str

    @classmethod
    def of(cls, outputs: dict[str, str]) -> Target:
        """The target named by a deployed stack's outputs."""
        return cls(outputs["UserPoolId"], outputs["UsersTableName"])


@dataclass(frozen=True)
class UserSpec:
    username: str
    email: str | None
    projects: tuple[str, ...] | None  # None: leave an existing user's projects as they are
    password: str | None  # None: leave an existing user's password as it is


@dataclass(frozen=True)
class UserRecord:
    username: str
    status: str
    email: str | None
    projects: tuple[str, ...]


def parse_projects(raw: str) -> tuple[str, ...]:
    """'p1, p2,p1' -> ('p1', 'p2'); raise UserError naming the first invalid id."""
    projects = [p.strip() for p in raw.split(",") if p.strip()]
    for project in projects:
        if not PROJECT_ID.match(project):
            raise UserError(f"Project id '{project}' is not valid: use {PROJECT_ID_HINT}.")
    return tuple(sorted(set(projects)))


def validate_username(username: str) -> None:
    if not USERNAME.match(username):
        raise UserError(f"User name '{username}' is not valid: use 1-128 letters, digits or . @ + - _")


def validate_email(email: str) -> None:
    if not EMAIL.match(email):
        raise UserError(f"Email '{email}' is not a valid address.")


def _get_user(idp: Any, target: Target, username: str) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    try:
        return idp.admin_get_user(UserPoolId=target.user_pool_id, Username=username)  # type: ignore[no-any-return]
    except ClientError as exc:
        code, message = error_details(exc)
        if code == "UserNotFoundException":
            return None
        if code == "ResourceNotFoundException":
            raise UserError(f"User pool {target.user_pool_id} does not exist; run `claimsctl deploy` first.") from exc
        raise UserError(f"Cannot read user {username}: {message}") from exc


def _set_password(idp: Any, target: Target, username: str, password: str) -> None:
    from botocore.exceptions import ClientError

    try:
        idp.admin_set_user_password(UserPoolId=target.user_pool_id, Username=username, Password=password, Permanent=True)
    except ClientError as exc:
        code, message = error_details(exc)
        if code in ("InvalidPasswordException", "InvalidParameterException"):
            reason = message.removeprefix("Password does not conform to policy: ")
            raise UserError(f"The user pool rejected the password: {reason}") from exc
        raise UserError(f"Cannot set the password of {username}: {message}") from exc


def _write_row(ddb: Any, target: Target, username: str, projects: tuple[str, ...]) -> None:
    from botocore.exceptions import ClientError

    try:
        ddb.put_item(TableName=target.table_name, Item={
            "userName": {"S": username},
            "projects": {"L": [{"S": p} for p in projects]},
        })
    except ClientError as exc:
        raise UserError(f"Cannot write the projects of {username} to table {target.table_name}: {error_details(exc)[1]}") from exc


def _projects_of(item: dict[str, Any]) -> tuple[str, ...]:
    value = item.get("projects", {})
    if "L" in value:
        return tuple(entry["S"] for entry in value["L"])
    if "S" in value:
        return tuple(p for p in value["S"].split(",") if p)
    return tuple(value.get("SS", ()))


def _create(idp: Any, target: Target, spec: UserSpec) -> None:
    from botocore.exceptions import ClientError

    if not spec.email or not spec.password:
        raise UserError(f"A new user needs an email and a password ({spec.username} does not exist yet).")
    try:
        idp.admin_create_user(
            UserPoolId=target.user_pool_id, Username=spec.username, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": spec.email}, {"Name": "email_verified", "Value": "true"}],
        )
    except ClientError as exc:
        raise UserError(f"Cannot create user {spec.username}: {error_details(exc)[1]}") from exc


def _delete_quietly(idp: Any, target: Target, username: str) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        idp.admin_delete_user(UserPoolId=target.user_pool_id, Username=username)
    except (BotoCoreError, ClientError):
        pass


def add_or_update(idp: Any, ddb: Any, target: Target, spec: UserSpec) -> str:
    """Create the user and its row, or update an existing one; return 'created' or 'updated'.

    A user this call created is deleted again if anything after its creation fails.
    """
    validate_username(spec.username)
    if spec.email:
        validate_email(spec.email)
    existing = _get_user(idp, target, spec.username)
    if existing is None:
        _create(idp, target, spec)
        try:
            _set_password(idp, target, spec.username, spec.password or "")
            _write_row(ddb, target, spec.username, spec.projects or ())
        except Exception:
            _delete_quietly(idp, target, spec.username)
            raise
        return "created"
    if spec.email:
        idp.admin_update_user_attributes(UserPoolId=target.user_pool_id, Username=spec.username, UserAttributes=[
            {"Name": "email", "Value": spec.email}, {"Name": "email_verified", "Value": "true"}])
    if spec.password:
        _set_password(idp, target, spec.username, spec.password)
    if spec.projects is not None:
        _write_row(ddb, target, spec.username, spec.projects)
    return "updated"


def seed_items(ddb: Any, table: str, projects: tuple[str, ...], per_project: int) -> int:
    """Write `per_project` sample items into each project (idempotent: fixed item ids); return how many."""
    written = 0
    for project in projects:
        for number in range(1, per_project + 1):
            ddb.put_item(TableName=table, Item={
                "projectId": {"S": project}, "itemId": {"S": f"item-{number:03d}"},
                "title": {"S": f"{project} work item {number}"},
            })
            written += 1
    return written


def remove(idp: Any, ddb: Any, target: Target, username: str) -> None:
    """Delete the user and its row; an unknown user is an error."""
    if _get_user(idp, target, username) is None:
        raise UserError(f"No user named {username} in pool {target.user_pool_id}.")
    idp.admin_delete_user(UserPoolId=target.user_pool_id, Username=username)
    ddb.delete_item(TableName=target.table_name, Key={"userName": {"S": username}})


def list_all(idp: Any, ddb: Any, target: Target) -> list[UserRecord]:
    """Every user with its projects (one scan of the table, not a read per user)."""
    rows = {}
    for page in ddb.get_paginator("scan").paginate(TableName=target.table_name):
        for item in page.get("Items", []):
            rows[item["userName"]["S"]] = _projects_of(item)
    records = []
    for page in idp.get_paginator("list_users").paginate(UserPoolId=target.user_pool_id):
        for user in page["Users"]:
            attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
            records.append(UserRecord(user["Username"], user["UserStatus"], attributes.get("email"),
                                      rows.get(user["Username"], ())))
    return sorted(records, key=lambda r: r.username)
