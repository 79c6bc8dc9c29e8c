"""The routes a verified token allows, as `(METHOD, path)` pairs, and what they mean to API Gateway.

A route's path is made of segments, each a literal that passes the safe-id rule or a whole `*` (any one
segment): `("GET", "/projects/*/items")`. Anything else (a partial wildcard, a separator, a dot, an empty
segment, an unknown method) is rejected, so data read from a token or a row can never put a wildcard or a
separator into a policy ARN. The authorizer's policy lists every allowed route, so API Gateway's cached
result stays right for every route and method; the functions behind it check the same routes again.

Standard library only: shipped in the Lambda zip with the rest of claimsctl_runtime.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NamedTuple

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
STANDARD_DESIGN = "/standard"  # the standard design serves a copy of every route under this path
# A whole path at once (the authorizer checks every route of every decision): "/" then segments, each a
# safe id or a whole "*", joined by single slashes.
_PATH = re.compile(r"(?:/(?:\*|[A-Za-z0-9][A-Za-z0-9_-]{0,63}))+")
ANY_SEGMENT = "*"


class Route(NamedTuple):
    method: str
    path: str

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.path.strip("/").split("/"))

    def matches(self, method: str, path: str) -> bool:
        """This route allows `method path` (a concrete request; `*` matches exactly one segment)."""
        wanted = tuple(path.strip("/").split("/"))
        return (method.upper() == self.method and len(wanted) == len(self.segments)
                and all(mine in (ANY_SEGMENT, theirs) for mine, theirs in zip(self.segments, wanted, strict=True)))

    def arn(self, base: str) -> str:
        """The execute-api resource ARN of this route under `base` (arn:...:api-id/stage)."""
        return f"{base}/{self.method}{self.path}"

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _route(pair: Any) -> Route | None:
    if not (isinstance(pair, tuple | list) and len(pair) == 2):
        return None
    method, path = pair
    if not (isinstance(method, str) and isinstance(path, str)) or method.upper() not in METHODS:
        return None
    return Route(method.upper(), path) if _PATH.fullmatch(path) else None


def checked(pairs: Iterable[Any]) -> tuple[list[Route], list[str]]:
    """(the well-formed routes, sorted by path then method, each once; the rejected pairs as text, to log)."""
    routes: set[Route] = set()
    rejected = []
    for pair in pairs:
        route = _route(pair)
        if route is None:
            rejected.append(repr(pair)[:120])
        else:
            routes.add(route)
    return sorted(routes, key=_order), rejected


def _order(route: Route) -> tuple[str, str]:
    return route.path, route.method


def allowing(routes: Iterable[Route], method: str, path: str) -> Route | None:
    """The first route that allows the request, or None."""
    return next((route for route in routes if route.matches(method, path)), None)
