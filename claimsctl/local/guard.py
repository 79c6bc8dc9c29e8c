"""The emulator's front door: who may drive it, and how much one request may send.

The emulator runs code (Lambda functions from any stack) as the user who
started it, so a web page must not be able to drive it. What each route
allows is in the route table (routes.py); the door applies it:

- Host: only names of the emulator itself are answered (loopback names, or
  the address given to `--host`); anything else, as a DNS-rebinding page would
  send, gets 403.
- Browser pages: a route's `browser` methods may be called by a page of any
  origin (the hosted UI's navigations, its token, revoke and userInfo
  endpoints, discovery, JWKS, execute-api, a CloudFront viewer). Every other
  request must carry no sign of a page of another origin: no foreign `Origin`
  or `Referer`, no `Sec-Fetch-Site` of `cross-site` or `same-site`. Browsers
  send no `Origin` on an `<img>`, a `<script>` or a navigation, but they do
  send `Sec-Fetch-Site` and usually `Referer`.
- Control routes (`/_claimsctl/*`, moto's `/moto-api/*`): only a program may
  call them. Any `Origin` or `Referer`, or a `Sec-Fetch-Site` other than
  `none`, is refused, even the emulator's own pages.
- Methods: a method the route does not serve is answered 405 here.
- Size: a request body is limited per route (API Gateway's 10 MB payload
  limit on execute-api; 1 MB on the hosted UI; 64 KB on the emulator's own
  routes; 100 MB for the AWS APIs, above Lambda's 50 MB zip upload). Bodies
  are never read past the limit.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from werkzeug.wsgi import LimitedStream

from claimsctl.local import state
from claimsctl.local.routes import Route, RouteTable

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
_PAGE_FETCH_SITES = frozenset({"cross-site", "same-site"})
Refusal = tuple[int, str, str]
# What the door refused, by route and status (e.g. "moto-api 403"): /_claimsctl/stats reports it.
REFUSED: state.Slot[Counter[str]] = state.Slot(Counter)


@dataclass(frozen=True)
class FrontDoor:
    hosts: frozenset[str]
    port: int
    table: RouteTable

    @classmethod
    def for_server(cls, host: str, port: int, table: RouteTable) -> FrontDoor:
        return cls(LOOPBACK_NAMES | {host.strip("[]").lower()}, port, table)

    def _host_ok(self, host_header: str) -> bool:
        name = urlsplit(f"//{host_header}").hostname or ""
        return name in self.hosts or name.endswith(".localhost")

    def _own_origin(self, origin: str) -> bool:
        parts = urlsplit(origin)
        try:
            port = parts.port
        except ValueError:
            return False
        return parts.scheme == "http" and (parts.hostname or "") in self.hosts and port == self.port

    def problem(self, environ: dict[str, Any], route: Route) -> Refusal | None:
        """(status, error code, message) when the request must be refused, else None."""
        if not self._host_ok(environ.get("HTTP_HOST", "")):
            return 403, "AccessDeniedException", "This emulator answers only its own host names (DNS rebinding?)."
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in route.methods:
            return 405, "MethodNotAllowed", f"{method} is not served on this route ({', '.join(sorted(route.methods))})."
        found = self._page_problem(environ, route, method)
        if found is not None:
            return found
        length = environ.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > route.body_limit:
            return 413, "RequestEntityTooLarge", f"Request body is larger than this route accepts ({route.body_limit} bytes)."
        return None

    def _page_problem(self, environ: dict[str, Any], route: Route, method: str) -> Refusal | None:
        """A refusal when a browser page may not make this request."""
        origin, referer = environ.get("HTTP_ORIGIN"), environ.get("HTTP_REFERER")
        fetch_site = environ.get("HTTP_SEC_FETCH_SITE")
        if route.control:
            if origin or referer or fetch_site not in (None, "none"):
                return 403, "AccessDeniedException", ("The emulator's control routes take calls from programs only, "
                                                      "never from a web page.")
            return None
        if method in route.browser:
            return None
        if origin and not self._own_origin(origin):
            return 403, "AccessDeniedException", f"Requests from the web origin {origin[:100]} may not use this route."
        if (referer and not self._own_origin(referer)) or fetch_site in _PAGE_FETCH_SITES:
            return 403, "AccessDeniedException", "Requests from a page of another site may not use this route."
        return None

    def wrap(self, app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
        """The app behind this door: refusals answered here, bodies capped, moto's CORS headers removed."""

        def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            route = self.table.find(environ)
            found = self.problem(environ, route)
            if found is not None:
                REFUSED.get()[f"{route.name} {found[0]}"] += 1
                return refuse(start_response, *found)
            declared = environ.get("CONTENT_LENGTH")
            limit = route.body_limit
            environ["wsgi.input"] = LimitedStream(environ["wsgi.input"], min(limit, int(declared)) if declared else limit)
            environ["claimsctl.route"] = route
            return app(environ, start_response)

        return guarded


def without_cors(start_response: Callable[..., Any]) -> Callable[..., Any]:
    """start_response that drops CORS headers (moto adds Access-Control-Allow-Origin: * to everything)."""

    def start(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
        kept = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
        return start_response(status, kept, *args)

    return start


def refuse(start_response: Callable[..., Any], status: int, code: str, message: str) -> list[bytes]:
    body = json.dumps({"__type": code, "message": message}).encode()
    reason = {403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
              413: "Request Entity Too Large"}.get(status, "Error")
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                                          ("x-amzn-ErrorType", code)])
    return [body]
