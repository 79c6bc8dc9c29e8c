"""Machine callers (app clients with the client-credentials grant) next to people: how their tokens and
rows are told apart, and which of the API's scopes each route needs.

- A machine's access token has no `username`, and its `sub` is its `client_id` (Cognito's M2M tokens).
- A machine's users-table row is keyed by its client id and marked `principal: "client"`; a person's row
  never is. The trigger and CheckUserAccess use a row only for the kind of principal it was written for, so
  a user whose name happens to equal a client id never gets the client's projects, nor the other way round.
- The API's resource server (identifier API_IDENTIFIER) has two scopes: `items.read` for GET (and HEAD,
  OPTIONS) and `items.write` for every other method. A machine token may use a route only with its scope;
  a person's token is bound to the web client instead, and needs no API scope.

Standard library only: shipped in the Lambda zip with the rest of claimsctl_runtime.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from claimsctl_runtime.routes import Route

READ_SCOPE, WRITE_SCOPE = "items.read", "items.write"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PRINCIPAL = "principal"  # the row attribute that marks a machine's row
CLIENT = "client"
MACHINE_SOURCE = "TokenGeneration_ClientCredentials"


def is_machine_token(claims: Mapping[str, Any]) -> bool:
    """An access token issued by the client-credentials grant."""
    return (claims.get("token_use") == "access" and "username" not in claims
            and bool(claims.get("client_id")) and claims.get("sub") == claims.get("client_id"))


def api_scopes(identifier: str) -> tuple[str, str]:
    """(read scope, write scope) of the API's resource server, as tokens carry them."""
    return f"{identifier}/{READ_SCOPE}", f"{identifier}/{WRITE_SCOPE}"


def scope_for(method: str, identifier: str) -> str:
    read, write = api_scopes(identifier)
    return read if method.upper() in READ_METHODS else write


def permitted(routes: Iterable[Route], claims: Mapping[str, Any], identifier: str) -> list[Route]:
    """The routes this token may use: all of them for a person's token, for a machine's those whose scope it holds."""
    if not is_machine_token(claims):
        return list(routes)
    return within_scopes(routes, str(claims.get("scope", "")), identifier)


def within_scopes(routes: Iterable[Route], scope: str, identifier: str) -> list[Route]:
    """The routes whose scope is among `scope` (a token's space-separated scope claim)."""
    held = set(scope.split())
    return [route for route in routes if scope_for(route.method, identifier) in held]


def principal_of(event: Mapping[str, Any]) -> tuple[str, str]:
    """(kind, id) of whom a pre token generation event is for: ("client", client id) for a
    client-credentials grant, ("user", user name) otherwise."""
    if event.get("triggerSource") == MACHINE_SOURCE:
        return CLIENT, str((event.get("callerContext") or {}).get("clientId") or "")
    return "user", str(event.get("userName") or "")


def is_client_row(row: Mapping[str, Any] | None) -> bool:
    return row is not None and row.get(PRINCIPAL) == CLIENT


def row_for(kind: str, row: dict[str, Any] | None) -> dict[str, Any] | None:
    """The row when it was written for this kind of principal; None (no projects) when it was not."""
    return row if (kind == CLIENT) == is_client_row(row) else None
