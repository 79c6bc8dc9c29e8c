"""The emulator's one table of routes: which handler serves a request, the methods it takes, how large a
body it accepts, and whether a web page in a browser may call it.

The server dispatches by this table, the front door (guard.py) reads a route's browser rule and body limit
from it, and nothing else keeps route knowledge. A route is found by the request's Host (a CloudFront
viewer) or by its path; the first route that matches wins, and a request that no route claims goes to moto
as an AWS API call. This module imports no service: the server builds the table from their handlers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

StartResponse = Callable[..., Any]
Handler = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
MB = 1024 * 1024
ANY = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@dataclass(frozen=True)
class Route:
    """One entry of the table.

    - `path`: a regular expression the whole path must match (`re.fullmatch`: a trailing newline is no match).
    - `host`: instead of a path, a predicate on the Host header (a distribution's viewer).
    - `methods`: what the handler serves; another method is answered 405 here, never passed on.
    - `browser`: the methods a page of another origin may call (CORS or a navigation); every other request
      must carry no sign of coming from such a page (guard.py).
    - `control`: the emulator's own control surface (`/_claimsctl/*`, moto's `/moto-api/*`): only a program
      may call it, never a page of any origin, the emulator's own hosted UI included.
    """

    name: str
    handler: Handler | None
    body_limit: int
    path: re.Pattern[str] | None = None
    host: Callable[[str], bool] | None = None
    methods: frozenset[str] = ANY
    browser: frozenset[str] = frozenset()
    control: bool = False

    def claims(self, path: str, host: str) -> bool:
        if self.host is not None:
            return self.host(host)
        return self.path is not None and self.path.fullmatch(path) is not None


@dataclass(frozen=True)
class RouteTable:
    routes: tuple[Route, ...]
    fallback: Route  # what no route claims: moto's AWS APIs

    def find(self, environ: dict[str, Any]) -> Route:
        path, host = environ.get("PATH_INFO", ""), environ.get("HTTP_HOST", "")
        for route in self.routes:
            if route.claims(path, host):
                return route
        return self.fallback


def path(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)
