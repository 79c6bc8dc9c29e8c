"""Users: the Cognito user and its DynamoDB row of projects, always created, changed and removed together.

A row's change is one UpdateItem that sets only what was named (the projects, the attributes given), so
every other attribute a row holds (a tenant, a department a claims.py reads) is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from claimsctl import row_attributes
from claimsctl.aws import AwsCallError
from claimsctl.errors import AwsError, UserError
from claimsctl.outputs import StackOutputs
from claimsctl_runtime import machines as machine_rows
from claimsctl_runtime import projects as project_ids
from claimsctl_runtime import rows as row_names
from claimsctl_runtime.rows import plain as stored_row

# Whole-value patterns (fullmatch): "alice\n" is not "alice". A name may not start with = + - @, which a
# spreadsheet would read as a formula when it opens the passwords file.
USERNAME = re.compile(r"[\w.][\w.@+-]{0,127}")
USERNAME_HINT = "1-128 letters, digits or . @ + - _, starting with a letter, digit, '.' or '_'"
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Target:
    """Where users live: the stack's user pool and users table."""

    user_pool_id: str
    table_name: str

    @classmethod
    def of(cls, outputs: StackOutputs) -> Target:
        """The target named by a deployed stack's outputs."""
        return cls(outputs.user_pool_id, outputs.users_table)


@dataclass(frozen=True)
class UserSpec:
    username: str
    email: str | None
    projects: tuple[str, ...] | None  # None: leave an existing user's projects as they are
    password: str | None  # None: leave an existing user's password as it is
    attributes: row_attributes.Changes = field(default_factory=dict)  # set (typed) or removed (None); others kept


@dataclass(frozen=True)
class UserRecord:
    username: str
    status: str
    email: str | None
    projects: tuple[str, ...]
    mfa: str = "off"  # the pool's MFA is off; else "totp" (enrolled) or "none" (not yet)
    attributes: dict[str, Any] = field(default_factory=dict)  # the row's attributes claimsctl does not manage


SHIPPED_ROLES = ("viewer", "editor", "owner")  # the shipped lambda_src/claims.py's ROLES


def parse_projects(raw: str, roles: tuple[str, ...] = SHIPPED_ROLES) -> tuple[str, ...]:
    """'p1:editor, p2' -> ('p1:editor', 'p2') (a project without a role has the least, roles[0]); UserError
    naming the first entry that is not a valid id with a known role."""
    try:
        return project_ids.parse_grants(raw, roles)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def checked_projects(values: list[Any], roles: tuple[str, ...] = SHIPPED_ROLES) -> tuple[str, ...]:
    """A JSON list of grants (strings only, one each: "p1" or "p1:editor") -> sorted unique grants;
    UserError naming a bad one."""
    try:
        return project_ids.checked_grants(values, roles)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def validate_username(username: str) -> None:
    if not USERNAME.fullmatch(username):
        raise UserError(f"User name {username!r} is not valid: use {USERNAME_HINT}.")


def validate_email(email: str) -> None:
    if not EMAIL.fullmatch(email):
        raise UserError(f"Email {email!r} is not a valid address.")


def get_user(idp: Any, target: Target, username: str) -> dict[str, Any] | None:
    try:
        return idp.admin_get_user(UserPoolId=target.user_pool_id, Username=username)  # type: ignore[no-any-return]
    except AwsCallError as exc:
        if exc.code == "UserNotFoundException":
            return None
        if exc.code == "ResourceNotFoundException":
            raise UserError(f"User pool {target.user_pool_id} does not exist; run `claimsctl deploy` first.") from exc
        raise UserError(f"Cannot read user {username}: {exc.message}") from exc


def _set_password(idp: Any, target: Target, username: str, password: str) -> None:
    try:
        idp.admin_set_user_password(UserPoolId=target.user_pool_id, Username=username, Password=password, Permanent=True)
    except AwsCallError as exc:
        if exc.code in ("InvalidPasswordException", "InvalidParameterException"):
            reason = exc.message.removeprefix("Password does not conform to policy: ")
            raise UserError(f"The user pool rejected the password: {reason}") from exc
        raise UserError(f"Cannot set the password of {username}: {exc.message}") from exc


USER_ROW_GUARD = "attribute_not_exists(#p) OR #p <> :client"  # a user's write never touches a client's row


def update_guarded_row(ddb: Any, target: Target, key: str, update: row_attributes.Update, condition: str,
                       taken: str, what: str) -> None:
    """Change the row keyed `key` with one UpdateItem (made if absent) unless `condition` (on its `principal`
    marker, #p, and :client) refuses it: then UserError `taken`. Any other failure: UserError naming `what`."""
    try:
        ddb.update_item(TableName=target.table_name, Key={row_names.KEY: {"S": key}},
                        UpdateExpression=update.expression, ConditionExpression=condition,
                        ExpressionAttributeNames={**update.names, "#p": machine_rows.PRINCIPAL},
                        ExpressionAttributeValues={**update.values, ":client": {"S": machine_rows.CLIENT}})
    except AwsCallError as exc:
        if exc.code == "ConditionalCheckFailedException":
            raise UserError(taken) from exc
        limit = " (a DynamoDB item holds at most 400 KB; nothing was changed)" if "size" in exc.message else ""
        raise UserError(f"Cannot write the row of {what} to table {target.table_name}: {exc.message}{limit}") from exc
    except AwsError as exc:
        raise UserError(f"Cannot write the row of {what} to table {target.table_name}: {exc}") from exc


def _client_row_taken(target: Target, key: str) -> str:
    return (f"Table {target.table_name} holds machine client {key}'s row under that key; choose another user name. "
            "Nothing was changed.")


def _write_row(ddb: Any, target: Target, username: str, projects: tuple[str, ...] | None,
               attributes: row_attributes.Changes) -> None:
    """Set the user's projects (None: keep them) and the attributes named; never over a machine client's row
    (keyed by its client id, which a user name could equal)."""
    stored = None if projects is None else project_ids.to_item(project_ids.checked_grants(projects))
    update_guarded_row(ddb, target, username, row_attributes.update(stored, attributes), USER_ROW_GUARD,
                       _client_row_taken(target, username), username)


def read_row(ddb: Any, target: Target, key: str) -> dict[str, Any] | None:
    """The row keyed `key` as plain values (a consistent read), or None."""
    try:
        item = ddb.get_item(TableName=target.table_name, Key={row_names.KEY: {"S": key}}, ConsistentRead=True)
    except AwsError as exc:
        raise UserError(f"Cannot read the row of {key} from table {target.table_name}: {exc}") from exc
    return stored_row(item.get("Item"))


def projects_dropped(idp: Any, ddb: Any, target: Target, username: str) -> tuple[str, ...]:
    """The projects an existing user holds now (what `--projects ""` would remove); () for a new user."""
    stored = canonical_name(idp, target, username)
    row = None if stored is None else read_row(ddb, target, stored)
    return () if machine_rows.is_client_row(row) else project_ids.stored_grants(row)


def _create(idp: Any, target: Target, spec: UserSpec) -> str:
    """Create the user; return its user name as Cognito stored it."""
    if not spec.email or not spec.password:
        raise UserError(f"A new user needs an email and a password ({spec.username} does not exist yet).")
    try:
        created = idp.admin_create_user(
            UserPoolId=target.user_pool_id, Username=spec.username, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": spec.email}, {"Name": "email_verified", "Value": "true"}],
        )
    except AwsCallError as exc:
        raise UserError(f"Cannot create user {spec.username}: {exc.message}") from exc
    return str(created.get("User", {}).get("Username") or spec.username)


def _delete_quietly(idp: Any, target: Target, username: str) -> None:
    try:
        idp.admin_delete_user(UserPoolId=target.user_pool_id, Username=username)
    except AwsError:
        pass


def canonical_name(idp: Any, target: Target, username: str) -> str | None:
    """The user name exactly as Cognito stores it (and hands the trigger), or None if there is no such user.

    In a case-insensitive pool `CASEY` finds `casey`; rows are keyed by what this returns.
    """
    found = get_user(idp, target, username)
    return None if found is None else str(found.get("Username") or username)


def _update_email(idp: Any, target: Target, username: str, email: str) -> None:
    try:
        idp.admin_update_user_attributes(UserPoolId=target.user_pool_id, Username=username, UserAttributes=[
            {"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}])
    except AwsError as exc:
        detail = exc.message if isinstance(exc, AwsCallError) else str(exc)
        raise UserError(f"Cannot change the email of {username}: {detail}") from exc


class UserOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"


def add_or_update(idp: Any, ddb: Any, target: Target, spec: UserSpec,
                  password_on_create_only: bool = False) -> UserOutcome:
    """Create the user and its row, or update an existing one.

    The row is keyed by the user name Cognito stores (resolved before any write). A user this call
    created is deleted again if anything after its creation fails. With `password_on_create_only`,
    the spec's password is never set on a user that already exists (bulk seeding's rule).
    """
    validate_username(spec.username)
    if spec.email:
        validate_email(spec.email)
    username = canonical_name(idp, target, spec.username)
    if username is None:
        username = _create(idp, target, spec)
        try:
            _set_password(idp, target, username, spec.password or "")
            _write_row(ddb, target, username, spec.projects or (), spec.attributes)
        except BaseException:
            _delete_quietly(idp, target, username)
            raise
        return UserOutcome.CREATED
    row_changed = spec.projects is not None or bool(spec.attributes)
    if row_changed:  # first: a refused row (a client's) leaves all unchanged
        _write_row(ddb, target, username, spec.projects, spec.attributes)
    try:
        if spec.email:
            _update_email(idp, target, username, spec.email)
        if spec.password and not password_on_create_only:
            _set_password(idp, target, username, spec.password)
    except UserError as exc:
        if not row_changed:
            raise
        raise UserError(f"{exc} The row's projects and attributes were changed already; the same command, run "
                        "again once this is fixed, finishes the rest.") from exc
    return UserOutcome.UPDATED


def check_seed_items(outputs: StackOutputs, per_project: int, projects: tuple[str, ...] | None) -> None:
    """Refuse --seed-items before any user is touched when the stack has no API (so no items table)."""
    if per_project and projects and outputs.items_table is None:
        raise UserError('--seed-items needs the API in the stack: set "api" in stackInputs.json and deploy.')


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


def _refuse_client_row(target: Target, stored: str, row: dict[str, Any] | None) -> None:
    """A user whose name is a machine client's id (made outside claimsctl) is not removed: its row is the client's."""
    if machine_rows.is_client_row(row):
        client = (row or {}).get(row_names.CLIENT_NAME) or stored
        raise UserError(f"The row keyed {stored} in table {target.table_name} is machine client {client}'s, not a "
                        f"user's: remove-user never deletes it. Nothing was changed. Cognito user {stored} was made "
                        f"outside claimsctl with the client's id as its name; delete it with AdminDeleteUser (aws "
                        f"cognito-idp admin-delete-user), or remove the client with `claimsctl remove-client {client}`.")


def remove(idp: Any, ddb: Any, target: Target, username: str) -> str:
    """Sign the user out everywhere, delete it and its row; return its stored name. An unknown user is an error.

    The global sign-out revokes its refresh tokens, so no new token (and no new claim) can be
    issued; ID and access tokens already issued stay valid until they expire. A user whose row is a machine
    client's is refused before anything changes; the row's delete is guarded too (a client's row is never
    deleted, even if one appeared meanwhile).
    """
    stored = canonical_name(idp, target, username)
    if stored is None:
        raise UserError(f"No user named {username} in pool {target.user_pool_id}.")
    _refuse_client_row(target, stored, read_row(ddb, target, stored))
    idp.admin_user_global_sign_out(UserPoolId=target.user_pool_id, Username=stored)
    idp.admin_delete_user(UserPoolId=target.user_pool_id, Username=stored)
    try:
        ddb.delete_item(TableName=target.table_name, Key={row_names.KEY: {"S": stored}}, ConditionExpression=USER_ROW_GUARD,
                        ExpressionAttributeNames={"#p": machine_rows.PRINCIPAL},
                        ExpressionAttributeValues={":client": {"S": machine_rows.CLIENT}})
    except AwsCallError as exc:
        if exc.code != "ConditionalCheckFailedException":
            raise
        raise UserError(f"User {stored} was removed; its row had become machine client "
                        f"{stored}'s meanwhile, and was kept.") from exc
    return stored


def list_all(idp: Any, ddb: Any, target: Target) -> list[UserRecord]:
    """Every user with its projects (one scan of the table, not a read per user)."""
    rows: dict[str, dict[str, Any]] = {}
    for page in ddb.get_paginator("scan").paginate(TableName=target.table_name):
        for item in page.get("Items", []):
            row = stored_row(item)
            if row is not None and not machine_rows.is_client_row(row):  # a client's row: list-clients shows it
                rows[item["userName"]["S"]] = row
    records = []
    with_mfa = idp.describe_user_pool(UserPoolId=target.user_pool_id)["UserPool"].get("MfaConfiguration", "OFF") != "OFF"
    for page in idp.get_paginator("list_users").paginate(UserPoolId=target.user_pool_id):
        for user in page["Users"]:
            attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
            mfa = _mfa_state(idp, target.user_pool_id, user["Username"]) if with_mfa else "off"
            row = rows.get(user["Username"])
            records.append(UserRecord(user["Username"], user["UserStatus"], attributes.get("email"),
                                      project_ids.stored_grants(row), mfa, row_names.own_attributes(row)))
    return sorted(records, key=lambda r: r.username)


def _mfa_state(idp: Any, pool_id: str, username: str) -> str:
    """ListUsers does not say; AdminGetUser does (asked only when the pool has MFA on)."""
    settings = idp.admin_get_user(UserPoolId=pool_id, Username=username).get("UserMFASettingList") or []
    return "totp" if "SOFTWARE_TOKEN_MFA" in settings else "none"
