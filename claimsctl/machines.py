"""Machine clients: a confidential app client for the client-credentials grant and its users-table row of
projects, always created, changed and removed together (as users.py does for people).

The secret is chosen here (CreateUserPoolClient's ClientSecret) and written to its file, mode 600, before
the client exists; the file is finished (with the client id) once the client and its row are made, and on
any failure the client is deleted and the file removed. The row is keyed by the client id and marked
`principal: "client"` (claimsctl_runtime.machines), and never replaces a person's row.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from claimsctl import row_attributes
from claimsctl.aws import AwsCallError
from claimsctl.errors import AwsError, UserError
from claimsctl.outputs import StackOutputs
from claimsctl.users import Target, update_guarded_row
from claimsctl_runtime import machines
from claimsctl_runtime import projects as project_ids
from claimsctl_runtime.rows import plain as stored_row

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
NAME_HINT = "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
CREDENTIAL_KEYS = ("client_id", "client_secret", "token_url", "scope")


@dataclass(frozen=True)
class MachineClient:
    name: str
    client_id: str
    projects: tuple[str, ...]
    scopes: tuple[str, ...]


class ClientOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"


def check_stack(outputs: StackOutputs) -> None:
    """Machine clients need the V3_0 trigger (so their tokens get the claim) and the API's scopes."""
    if outputs.trigger_version != "V3_0":
        raise UserError(f"Machine clients need triggerVersion V3_0 (this stack's trigger is {outputs.trigger_version}, "
                        "which does not run for client-credentials tokens): set it in stackInputs.json and "
                        "run `claimsctl deploy` (V3_0 needs the Essentials plan, which deploy selects).")
    if not outputs.api_scopes:
        raise UserError('Machine clients call the API, and this stack has none: set "api" in stackInputs.json and deploy.')


def validate_name(name: str) -> None:
    if not NAME.fullmatch(name):
        raise UserError(f"Client name {name!r} is not valid: use {NAME_HINT}.")


def parse_scopes(raw: str | None, outputs: StackOutputs) -> tuple[str, ...]:
    """'items.read' or full scopes, comma-separated; all of the API's scopes when absent (items.read, items.write
    and those the deployed routes name)."""
    if raw is None:
        return outputs.api_scopes
    by_name = {scope.rpartition("/")[2]: scope for scope in outputs.api_scopes}
    chosen = []
    for entry in (part.strip() for part in raw.split(",") if part.strip()):
        scope = by_name.get(entry, entry)
        if scope not in outputs.api_scopes:
            raise UserError(f"Scope {entry!r} is not one of the API's: {', '.join(outputs.api_scopes)} (a scope a route "
                            "names in stackInputs.json becomes one when you run `claimsctl deploy`).")
        chosen.append(scope)
    if not chosen:
        raise UserError(f"--scopes names no scope; the API's are {', '.join(outputs.api_scopes)}.")
    return tuple(dict.fromkeys(chosen))


def _clients_named(idp: Any, target: Target, name: str) -> list[dict[str, Any]]:
    found = []
    for page in idp.get_paginator("list_user_pool_clients").paginate(UserPoolId=target.user_pool_id, MaxResults=60):
        found += [c for c in page.get("UserPoolClients", []) if c.get("ClientName") == name]
    return [idp.describe_user_pool_client(UserPoolId=target.user_pool_id, ClientId=c["ClientId"])["UserPoolClient"]
            for c in found]


def _row(ddb: Any, target: Target, client_id: str) -> dict[str, Any] | None:
    item = ddb.get_item(TableName=target.table_name, Key={"userName": {"S": client_id}}, ConsistentRead=True).get("Item")
    return stored_row(item)


def find(idp: Any, ddb: Any, target: Target, name: str) -> dict[str, Any] | None:
    """The machine client of this name (an app client with the grant and a client's row), or None.
    UserError when the name belongs to some other app client: it is taken."""
    for client in _clients_named(idp, target, name):
        if machines.is_client_row(_row(ddb, target, client["ClientId"])):
            return client
        raise UserError(f"The name {name} is taken by app client {client['ClientId']}, which is not a machine client "
                        "made by claimsctl; choose another name.")
    return None


def _write_row(ddb: Any, target: Target, client_id: str, name: str, projects: tuple[str, ...]) -> None:
    """The client's projects, marker and name with one UpdateItem, keeping the row's other attributes; never
    over a person's row (a user whose name is this client id)."""
    stored = project_ids.to_item(project_ids.checked_grants(projects))
    marks = {machines.PRINCIPAL: {"S": machines.CLIENT}, "clientName": {"S": name}}
    update_guarded_row(ddb, target, client_id, row_attributes.update(stored, marks),
                       "attribute_not_exists(userName) OR #p = :client",
                       f"Table {target.table_name} already holds a user's row keyed {client_id}; remove that user first.",
                       f"client {name}")


def published_folders(root: Path, lambda_dir: Path, templates_dir: Path, web_app: Path) -> tuple[tuple[Path, str], ...]:
    """The folders whose files deploy packages or publishes, each with what happens to them (the project's
    folders by name, and the ones in use when they are elsewhere: the shipped copies)."""
    zipped = "deploy zips into every Lambda function"
    rendered = "deploy renders into the stack's template"
    hosted = "deploy builds and publishes through CloudFront (its public/ as it is)"
    return ((root / "lambda_src", zipped), (lambda_dir, zipped), (root / "templates", rendered),
            (templates_dir, rendered), (web_app, hosted))


def _not_a_regular_file(path: Path) -> str:
    """What `path` is when it exists and is not a regular file (a link is not followed), else ""."""
    import stat

    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return ""
    if stat.S_ISREG(mode):
        return ""
    kinds = ((stat.S_ISLNK, "a link"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
             (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))
    return next((kind for test, kind in kinds if test(mode)), "a special file")


@dataclass(frozen=True)
class SecretFile:
    """Where the credentials go: JSON with client_id, client_secret, token_url and scope, mode 600."""

    path: Path
    force: bool = False

    def check(self, protected: tuple[Path, ...], published: tuple[tuple[Path, str], ...] = ()) -> None:
        """Refused before anything is made: a project file, a file inside a folder that is packaged or published
        (`published`: each folder with why), a folder, anything but a regular file, or an existing file (unless
        --force). Links and `..` are resolved first."""
        resolved = self.path.expanduser().resolve()
        if any(resolved == p.resolve() for p in protected):
            raise UserError(f"{self.path} is one of the project's own files; write the secret somewhere else.")
        for folder, reason in published:
            if resolved.is_relative_to(folder.resolve()):
                raise UserError(f"{self.path} is inside {folder}, which {reason}: the secret would be shipped with it. "
                                "Write it outside lambda_src/, templates/ and the web app's folder.")
        if resolved.is_dir():
            raise UserError(f"{self.path} is a folder; name a file for the credentials.")
        kind = _not_a_regular_file(self.path)
        if kind:
            raise UserError(f"{self.path} is {kind}, not a regular file; claimsctl writes a secret only to a regular "
                            "file (or a new one). Name another file.")
        if self.path.exists() and not self.force:
            raise UserError(f"{self.path} exists; pass --force to replace it, or name another file.")
        if not resolved.parent.is_dir():
            raise UserError(f"The folder of {self.path} does not exist.")

    @property
    def _partial(self) -> Path:
        return self.path.with_name(f".{self.path.name}.claimsctl-partial")

    def reserve(self, credentials: dict[str, Any]) -> None:
        """Write the credentials (client_id still null) to a new mode-600 file beside the target."""
        try:
            fd = os.open(self._partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise UserError(f"{self._partial} is left from an add-client that did not finish; it may hold the secret "
                            "of a client that exists (see list-clients). Move it away, then run add-client again.") from None
        with os.fdopen(fd, "w") as handle:
            json.dump(credentials, handle)

    def complete(self, credentials: dict[str, Any]) -> None:
        """Fill in the client id and put the file in place (atomically: the target is never half-written)."""
        fd = os.open(self._partial, os.O_WRONLY | os.O_TRUNC)
        with os.fdopen(fd, "w") as handle:
            json.dump(credentials, handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(self._partial, self.path)

    def discard(self) -> None:
        self._partial.unlink(missing_ok=True)

    def write(self, credentials: dict[str, Any]) -> None:
        """For a client that exists: reserve, then complete."""
        self.reserve(credentials)
        self.complete(credentials)


def credentials(client_id: str | None, secret: str, outputs: StackOutputs, scopes: tuple[str, ...]) -> dict[str, Any]:
    return {"client_id": client_id, "client_secret": secret, "token_url": outputs.token_url, "scope": " ".join(scopes)}


def _create(idp: Any, target: Target, name: str, secret: str, scopes: tuple[str, ...], validity_minutes: int) -> str:
    try:
        created = idp.create_user_pool_client(
            UserPoolId=target.user_pool_id, ClientName=name, ClientSecret=secret,
            AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthScopes=list(scopes), SupportedIdentityProviders=["COGNITO"],
            AccessTokenValidity=validity_minutes, TokenValidityUnits={"AccessToken": "minutes"},
            PreventUserExistenceErrors="ENABLED", EnableTokenRevocation=True)
    except AwsCallError as exc:
        raise UserError(f"Cannot create app client {name}: {exc.message}") from exc
    return str(created["UserPoolClient"]["ClientId"])


def _delete_quietly(idp: Any, target: Target, client_id: str) -> None:
    try:
        idp.delete_user_pool_client(UserPoolId=target.user_pool_id, ClientId=client_id)
    except AwsError:
        pass


@dataclass(frozen=True)
class ClientSpec:
    name: str
    projects: tuple[str, ...] | None  # None: leave an existing client's projects as they are
    scopes: tuple[str, ...]
    validity_minutes: int
    scopes_given: bool = False  # --scopes named them: an existing client's scopes become these


def set_scopes(idp: Any, target: Target, client: dict[str, Any], scopes: tuple[str, ...]) -> None:
    """Grant an existing client exactly these scopes. UpdateUserPoolClient resets every setting it is not given,
    so the client's current settings (those the operation takes, per botocore's model) go with the new scopes."""
    members = idp.meta.service_model.operation_model("UpdateUserPoolClient").input_shape.members
    kept = {k: v for k, v in client.items() if k in members and k not in ("UserPoolId", "ClientId")}
    try:
        idp.update_user_pool_client(UserPoolId=target.user_pool_id, ClientId=client["ClientId"],
                                    **{**kept, "AllowedOAuthScopes": list(scopes)})
    except AwsCallError as exc:
        raise UserError(f"Cannot change the scopes of app client {client.get('ClientName')}: {exc.message}") from exc


def create(idp: Any, ddb: Any, target: Target, outputs: StackOutputs, spec: ClientSpec, secret_file: SecretFile) -> str:
    """A new machine client, its row and its credentials file; nothing of it is left when a step fails."""
    secret = secrets.token_hex(32)  # 64 characters of [0-9a-f]: within ClientSecret's 24-64 of [\w+]
    secret_file.reserve(credentials(None, secret, outputs, spec.scopes))
    client_id = None
    try:
        client_id = _create(idp, target, spec.name, secret, spec.scopes, spec.validity_minutes)
        _write_row(ddb, target, client_id, spec.name, spec.projects or ())
        secret_file.complete(credentials(client_id, secret, outputs, spec.scopes))
    except BaseException:
        if client_id is not None:
            _delete_quietly(idp, target, client_id)
        secret_file.discard()
        raise
    return client_id


def add_or_update(idp: Any, ddb: Any, target: Target, outputs: StackOutputs, spec: ClientSpec,
                  secret_file: SecretFile | None) -> tuple[ClientOutcome, str]:
    """Create the machine client, or change an existing one's projects (and write its file if asked)."""
    existing = find(idp, ddb, target, spec.name)
    if existing is None:
        if secret_file is None:
            raise UserError(f"A new client needs --secret-out FILE to receive its secret ({spec.name} does not exist yet).")
        return ClientOutcome.CREATED, create(idp, ddb, target, outputs, spec, secret_file)
    client_id = str(existing["ClientId"])
    if spec.projects is not None:
        _write_row(ddb, target, client_id, spec.name, spec.projects)
    scopes = tuple(existing.get("AllowedOAuthScopes") or ())
    if spec.scopes_given and set(spec.scopes) != set(scopes):  # tokens already issued keep theirs until they expire
        set_scopes(idp, target, existing, spec.scopes)
        scopes = spec.scopes
    if secret_file is not None:
        secret_file.write(credentials(client_id, str(existing["ClientSecret"]), outputs, scopes))
    return ClientOutcome.UPDATED, client_id


def remove(idp: Any, ddb: Any, target: Target, name: str) -> str:
    """Delete the machine client and its row; return its id. Tokens already issued stay valid until they expire."""
    client = find(idp, ddb, target, name)
    if client is None:
        raise UserError(f"No machine client named {name} in pool {target.user_pool_id}.")
    idp.delete_user_pool_client(UserPoolId=target.user_pool_id, ClientId=client["ClientId"])
    ddb.delete_item(TableName=target.table_name, Key={"userName": {"S": client["ClientId"]}})
    return str(client["ClientId"])


def list_all(idp: Any, ddb: Any, target: Target) -> list[MachineClient]:
    """Every machine client with its projects and scopes (one scan of the table)."""
    rows = {}
    for page in ddb.get_paginator("scan").paginate(TableName=target.table_name):
        for item in page.get("Items", []):
            row = stored_row(item)
            if machines.is_client_row(row) and row is not None:
                rows[str(row.get("userName"))] = row
    found = []
    for page in idp.get_paginator("list_user_pool_clients").paginate(UserPoolId=target.user_pool_id, MaxResults=60):
        for summary in page.get("UserPoolClients", []):
            row = rows.get(summary["ClientId"])
            if row is None:
                continue
            described = idp.describe_user_pool_client(UserPoolId=target.user_pool_id, ClientId=summary["ClientId"])
            found.append(MachineClient(str(summary.get("ClientName")), summary["ClientId"], project_ids.stored_grants(row),
                                       tuple(described["UserPoolClient"].get("AllowedOAuthScopes") or ())))
    return sorted(found, key=lambda c: c.name)


def read_credentials(path: Path) -> dict[str, str]:
    """A credentials file written by add-client; UserError naming what is wrong with it."""
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise UserError(f"Cannot read the credentials in {path}: {exc}") from exc
    if not isinstance(document, dict) or not all(isinstance(document.get(k), str) and document[k] for k in CREDENTIAL_KEYS):
        raise UserError(f"{path} is not a credentials file of claimsctl add-client (it needs {', '.join(CREDENTIAL_KEYS)}).")
    return {key: str(document[key]) for key in CREDENTIAL_KEYS}
