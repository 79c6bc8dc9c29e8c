"""Machine callers (app clients with the client-credentials grant) next to people: how their tokens and
rows are told apart, and which of the API's scopes each route needs.

- A machine's access token has no `username`, and its `sub` is its `client_id` (Cognito's M2M tokens).
- A machine's users-table row is keyed by its client id and marked `principal: "client"`; a person's row
  never is. The trigger and CheckUserAccess use a row only for the kind of principal it was written for, so
  a user whose name happens to equal a client id never gets the client's projects, nor the other way round.
- The API's resource server (identifier API_IDENTIFIER) has `items.read`, needed by GET (and HEAD, OPTIONS)
  routes, and `items.write`, needed by every other method's, unless a route names its own scope
  (stackInputs.json `"scope"`; the functions get them as ROUTE_SCOPES, "METHOD /path" -> scope name). A
  machine token may use a route only with its scope; a person's token is bound to the web client instead,
  and needs no API scope.

Standard library only: shipped in the Lambda zip with the rest of claimsctl_runtime.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from claimsctl_runtime.routes import ANY_SEGMENT, Route

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


def scope_name_for(method: str) -> str:
    """The scope name a route of this method needs unless it names its own."""
    return READ_SCOPE if method.upper() in READ_METHODS else WRITE_SCOPE


def scope_for(method: str, identifier: str) -> str:
    return f"{identifier}/{scope_name_for(method)}"


def own_scopes(text: str | None) -> dict[str, str]:
    """ROUTE_SCOPES ("METHOD /path" -> scope name, for the declared routes that name their own); {} if unreadable."""
    try:
        found = json.loads(text or "{}")
    except ValueError:
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(k): str(v) for k, v in found.items() if isinstance(v, str) and v}


def all_scopes(identifier: str, own: Mapping[str, str]) -> tuple[str, ...]:
    """Every scope of the API as tokens carry them: items.read, items.write and the routes' own."""
    return tuple(dict.fromkeys([*api_scopes(identifier), *(f"{identifier}/{name}" for name in sorted(own.values()))]))


def needed(method: str, declared_path: str, identifier: str, own: Mapping[str, str]) -> str:
    """The scope a machine token needs for the declared route `method declared_path` (path with {parameters})."""
    name = own.get(f"{method.upper()} {declared_path}")
    return f"{identifier}/{name}" if name else scope_for(method, identifier)


def declared_pairs(table: Mapping[str, str]) -> list[tuple[str, str]]:
    """(METHOD, /path) of every declared route, from the routers' table (ROUTES: "METHOD /path" -> handler)."""
    return [(key.partition(" ")[0], key.partition(" ")[2]) for key in table]


def _overlap(route: Route, declared_path: str) -> Route | None:
    """The requests both `route` (segments or `*`) and the declared path (segments or {parameters}) cover."""
    theirs = tuple(declared_path.strip("/").split("/"))
    if len(theirs) != len(route.segments):
        return None
    both = []
    for mine, declared in zip(route.segments, theirs, strict=True):
        wild = declared.startswith("{")
        if mine != ANY_SEGMENT and not wild and mine != declared:
            return None
        both.append(mine if mine != ANY_SEGMENT or wild else declared)
    return Route(route.method, "/" + "/".join(both))


@dataclass(frozen=True)
class ScopeRules:
    """Which scope each of the API's routes needs: the declared routes (empty: a template from before the
    routes' own scopes, where the method alone decides) and the routes' own scopes."""

    identifier: str
    declared: tuple[tuple[str, str], ...] = ()
    own: Mapping[str, str] = field(default_factory=dict)

    def needed(self, method: str, declared_path: str) -> str:
        return needed(method, declared_path, self.identifier, self.own)


def scope_rules(environ: Mapping[str, str]) -> ScopeRules:
    """The scope rules a function of the stack reads from its environment: API_IDENTIFIER (the API's resource
    server), ROUTES (the declared routes) and ROUTE_SCOPES (the routes' own scopes)."""
    try:
        table = json.loads(environ.get("ROUTES") or "{}")
    except ValueError:
        table = {}
    declared = tuple(declared_pairs(table)) if isinstance(table, dict) else ()
    return ScopeRules(environ.get("API_IDENTIFIER", ""), declared, own_scopes(environ.get("ROUTE_SCOPES")))


def permitted(routes: Iterable[Route], claims: Mapping[str, Any], rules: ScopeRules) -> list[Route]:
    """The routes this token may use: all of them for a person's token, for a machine's those whose scope it holds."""
    if not is_machine_token(claims):
        return list(routes)
    return within_scopes(routes, str(claims.get("scope", "")), rules)


def within_scopes(routes: Iterable[Route], scope: str, rules: ScopeRules) -> list[Route]:
    """The routes whose scope is among `scope` (a token's space-separated scope claim). With the declared routes,
    each route is cut to the declared routes it covers whose scope is held (their overlap), so a route of
    routes_for spanning a route that needs another scope never lists it."""
    held = set(scope.split())
    if not rules.declared:
        return [route for route in routes if scope_for(route.method, rules.identifier) in held]
    kept: dict[Route, None] = {}
    for route in routes:
        for method, path in rules.declared:
            both = _overlap(route, path) if method == route.method and rules.needed(method, path) in held else None
            if both is not None:
                kept[both] = None
    return sorted(kept, key=lambda r: (r.path, r.method))


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
