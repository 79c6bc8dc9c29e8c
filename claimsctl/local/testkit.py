"""The emulator's surface for a test suite (claimsctl's pytest plugin uses it; any program may):

- `POST /_claimsctl/clock` `{"advance": seconds}` moves the emulator's clock forward (clock.py);
  `GET` reads its offset.
- `POST /_claimsctl/snapshot` remembers what every user pool and table holds; `POST /_claimsctl/restore`
  puts that back: users, app clients, groups and resource servers made since are deleted, every table's
  items are what they were, the authorizer cache and hosted-UI codes and sessions are emptied, the clock is
  back at the machine's time. Lambda workers stay warm. Milliseconds, where a redeploy takes seconds.
- `POST /_claimsctl/users` makes a user signed in, in one call: the user (with a permanent password and
  verified email), its users-table row, and its tokens, minted as a sign-in mints them, through the pool's
  real trigger (TokenGeneration_Authentication).

Control routes: programs only, never a page (guard.py).
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from moto.cognitoidp.models import CognitoIdpUserPool, cognitoidp_backends
from moto.dynamodb.models import dynamodb_backends

from claimsctl.local import clock, state
from claimsctl.local.cognito import pools, token_state, trigger
from claimsctl_runtime import machines, rows


@dataclass
class Snapshot:
    pools: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    tables: dict[tuple[str, str, str], Any] = field(default_factory=dict)


_SNAPSHOT: state.Slot[list[Snapshot]] = state.Slot(list)
_lock = threading.Lock()
POOL_PARTS = ("users", "clients", "groups", "resource_servers")


def _tables() -> Iterable[tuple[tuple[str, str, str], Any]]:
    for account, regions in dict.items(dynamodb_backends):
        for region, backend in dict.items(regions):
            for name, table in backend.tables.items():
                yield (account, region, name), table


def take() -> dict[str, int]:
    """Remember what every pool and table holds now."""
    snapshot = Snapshot()
    for pool in pools.all_pools():
        snapshot.pools[pool.id] = {part: set(getattr(pool, part)) for part in POOL_PARTS}
    for key, table in _tables():
        snapshot.tables[key] = copy.deepcopy(table.items)
    with _lock:
        _SNAPSHOT.get()[:] = [snapshot]
    return {"pools": len(snapshot.pools), "tables": len(snapshot.tables)}


def _restore_pool(pool: CognitoIdpUserPool, kept: dict[str, set[str]]) -> int:
    removed = 0
    for part in POOL_PARTS:
        held = getattr(pool, part)
        for name in [n for n in held if n not in kept[part]]:
            del held[name]
            removed += 1
    return removed


def restore() -> dict[str, int]:
    """Back to the snapshot; ValueError when none was taken."""
    with _lock:
        if not _SNAPSHOT.get():
            raise ValueError("No snapshot was taken: POST /_claimsctl/snapshot first.")
        snapshot = _SNAPSHOT.get()[0]
    removed = sum(_restore_pool(pool, snapshot.pools[pool.id]) for pool in pools.all_pools() if pool.id in snapshot.pools)
    for key, table in _tables():
        if key in snapshot.tables:
            table.items = copy.deepcopy(snapshot.tables[key])
    _forget_sessions()
    clock.reset()
    return {"removed": removed}


def _forget_sessions() -> None:
    from claimsctl.local.apigateway import execute
    from claimsctl.local.hosted_ui import oauth, sessions

    execute.forget_cached_decisions()
    oauth.forget_codes()
    sessions.forget_all()


@dataclass(frozen=True)
class NewUser:
    pool_id: str
    client_id: str
    username: str
    email: str
    attributes: dict[str, str]
    table: str | None
    row: dict[str, Any] | None  # DynamoDB JSON of the row to write, or None for no row

    @classmethod
    def parse(cls, document: Any) -> NewUser:
        if not isinstance(document, dict):
            raise ValueError("Send a JSON object.")
        strings = ("pool_id", "client_id", "username")
        if not all(isinstance(document.get(k), str) and document[k] for k in strings):
            raise ValueError("pool_id, client_id and username are required strings.")
        attributes = document.get("attributes") or {}
        if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
            raise ValueError("attributes must map names to strings.")
        row = document.get("row")
        if row is not None and (not isinstance(row, dict) or not isinstance(document.get("table"), str)):
            raise ValueError("row needs a table, and must be an item in DynamoDB JSON.")
        return cls(document["pool_id"], document["client_id"], document["username"],
                   str(document.get("email") or f"{document['username']}@example.com"), attributes,
                   document.get("table"), row)


def _refuse_a_clients_row(pool: CognitoIdpUserPool, table: str, row: dict[str, Any]) -> None:
    """A user's row never replaces a machine client's (keyed by its client id), as claimsctl's own writes are
    guarded: ValueError before anything is made."""
    key = row.get(rows.KEY)
    if not isinstance(key, dict):
        return
    held = dynamodb_backends[pool.account_id][pool.region].get_item(table, {rows.KEY: key})
    if held is not None and held.to_json()["Attributes"].get(machines.PRINCIPAL) == {"S": machines.CLIENT}:
        raise ValueError(f"Table {table} holds machine client {key.get('S')}'s row under that key; choose another "
                         "user name.")


def make_user(new: NewUser) -> dict[str, Any]:
    """The user, its row and its tokens (the pool's trigger runs): {"username", "id_token", "access_token",
    "refresh_token", "expires_in"}. ValueError for an unknown pool or client, moto's errors for a taken name."""
    pool = pools.by_id(new.pool_id)
    if pool is None or new.client_id not in pool.clients:
        raise ValueError(f"No app client {new.client_id} in user pool {new.pool_id}.")
    if new.row is not None and new.table is not None:
        _refuse_a_clients_row(pool, new.table, new.row)
    backend = cognitoidp_backends[pool.account_id][pool.region]
    attributes = [{"Name": "email", "Value": new.email}, {"Name": "email_verified", "Value": "true"},
                  *({"Name": k, "Value": v} for k, v in new.attributes.items())]
    user = backend.admin_create_user(pool.id, new.username, "SUPPRESS", secrets.token_urlsafe(24) + "aA1!", attributes)
    backend.admin_set_user_password(pool.id, user.username, secrets.token_urlsafe(24) + "aA1!", True)
    if new.row is not None and new.table is not None:
        dynamodb_backends[pool.account_id][pool.region].put_item(new.table, new.row)
    refresh_token, _ = token_state.new_refresh_token(pool, new.client_id, user.username)
    with trigger.token_context("TokenGeneration_Authentication"):
        access_token, id_token, expires_in = pool.create_tokens_from_refresh_token(refresh_token)
    return {"username": user.username, "id_token": id_token, "access_token": access_token,
            "refresh_token": refresh_token, "expires_in": expires_in}


def read_json(environ: dict[str, Any]) -> Any:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return json.loads(environ["wsgi.input"].read(length) or b"{}")
