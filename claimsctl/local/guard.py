"""The emulator's front door: who may drive it, and how much one request may send.

The emulator runs code (Lambda functions from any stack) as the user who
started it, so a web page must not be able to drive it:

- Host: only names of the emulator itself are answered (loopback names, or
  the address given to `--host`); anything else, as a DNS-rebinding page would
  send, gets 403.
- Origin: a request carrying an `Origin` other than the emulator's own is
  refused (403), except on the routes a browser app needs: the hosted UI's
  token and userInfo endpoints and discovery document, JWKS, and execute-api.
  Only those answer with CORS headers; moto's global CORS headers are removed.
  A CloudFront distribution's viewer ({label}.cloudfront.localhost) answers any
  origin: it only reads the files a stack published, as CloudFront does.
- Size: a request body is limited per route (API Gateway's 10 MB payload
  limit on execute-api; 1 MB on the hosted UI; 64 KB on the emulator's own
  routes; 100 MB for the AWS APIs, above Lambda's 50 MB zip upload). Bodies
  are never read past the limit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from werkzeug.wsgi import LimitedStream

from claimsctl.local import urls

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
MB = 1024 * 1024
_BROWSER_ROUTES = re.compile(
    r"^(/hosted-ui/[a-z0-9-]+/oauth2/(token|userInfo)"
    r"|/[\w-]+_[0-9A-Za-z]+/\.well-known/(openid-configuration|jwks\.json)"
    r"|/execute-api/.*)$")


@dataclass(frozen=True)
class Limits:
    execute_api: int = 10 * MB
    hosted_ui: int = 1 * MB
    own: int = 64 * 1024
    aws: int = 100 * MB

    def for_path(self, path: str) -> int:
        if path.startswith("/execute-api/"):
            return self.execute_api
        if path.startswith("/hosted-ui/"):
            return self.hosted_ui
        if path.startswith("/_claimsctl/"):
            return self.own
        return self.aws


@dataclass(frozen=True)
class FrontDoor:
    hosts: frozenset[str]
    port: int
    limits: Limits = Limits()

    @classmethod
    def for_server(cls, host: str, port: int) -> FrontDoor:
        return cls(LOOPBACK_NAMES | {host.strip("[]").lower()}, port)

    def _host_ok(self, host_header: str) -> bool:
        name = urlsplit(f"//{host_header}").hostname or ""
        return name in self.hosts or name.endswith(".localhost")

    def _own_origin(self, origin: str) -> bool:
        parts = urlsplit(origin)
        return parts.scheme == "http" and (parts.hostname or "") in self.hosts and parts.port == self.port

    def problem(self, environ: dict[str, Any]) -> tuple[int, str, str] | None:
        """(status, error code, message) when the request must be refused, else None."""
        if not self._host_ok(environ.get("HTTP_HOST", "")):
            return 403, "AccessDeniedException", "This emulator answers only its own host names (DNS rebinding?)."
        origin = environ.get("HTTP_ORIGIN")
        path = environ.get("PATH_INFO", "")
        viewer = urls.viewer_label(environ.get("HTTP_HOST", "")) is not None
        if origin and not viewer and not self._own_origin(origin) and not _BROWSER_ROUTES.match(path):
            return 403, "AccessDeniedException", f"Requests from the web origin {origin[:100]} may not use this route."
        length = environ.get("CONTENT_LENGTH") or "0"
        limit = self.limits.for_path(path)
        if not length.isdigit() or int(length) > limit:
            return 413, "RequestEntityTooLarge", f"Request body is larger than this route accepts ({limit} bytes)."
        return None

    def wrap(self, app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
        """The app behind this door: refusals answered here, bodies capped, moto's CORS headers removed."""

        def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            found = self.problem(environ)
            if found is not None:
                return refuse(start_response, *found)
            limit = self.limits.for_path(environ.get("PATH_INFO", ""))
            declared = environ.get("CONTENT_LENGTH")
            environ["wsgi.input"] = LimitedStream(environ["wsgi.input"], min(limit, int(declared)) if declared else limit)
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
    reason = {403: "Forbidden", 413: "Request Entity Too Large"}.get(status, "Error")
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                                          ("x-amzn-ErrorType", code)])
    return [body]
