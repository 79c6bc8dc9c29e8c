"""Calls the deployed REST API as a signed-in user would: the token in the Authorization header."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from claimsctl.errors import AwsError, UserError


@dataclass(frozen=True)
class ApiResponse:
    status: int
    body: str
    content_type: str


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as it is: the token is never sent on to another URL (or host)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def open_unredirected(request: urllib.request.Request, timeout: float) -> Any:
    """urlopen that answers a redirect as it is (an HTTPError with its 3xx code): a token or a secret is
    never sent on to another URL. The caller says what a 3xx means to it (see `redirected`)."""
    return _OPENER.open(request, timeout=timeout)


def redirected(error: urllib.error.HTTPError) -> str | None:
    """Where a refused redirect pointed (its Location, or "" when none), or None when `error` is no redirect."""
    if not 300 <= error.code < 400:
        return None
    return str(error.headers.get("Location", "")) if error.headers is not None else ""


MAX_DATA = 1024 * 1024


def json_body(data: str) -> bytes:
    """`--data`: JSON text, or @FILE for a file's JSON; UserError naming what is wrong."""
    import json
    from pathlib import Path

    text = data
    if data.startswith("@"):
        path = Path(data[1:])
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_DATA + 1)  # never more than the cap (and one byte to tell): @/dev/zero ends here
            if len(raw) > MAX_DATA:
                raise UserError(f"--data {data}: {path} is larger than {MAX_DATA} bytes, the most a request sends.")
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"--data {data}: cannot read {path}: {exc}") from exc
    if len(text.encode()) > MAX_DATA:
        raise UserError(f"--data is larger than {MAX_DATA} bytes.")
    try:
        json.loads(text)
    except ValueError as exc:
        raise UserError(f"--data is not JSON ({exc}); e.g. --data '{{\"title\": \"x\"}}' or --data @item.json") from exc
    return text.encode()


PATH_PATTERN = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*(\?[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?")


def check_path(path: str) -> None:
    """An API path as `request` takes it: it starts with / and holds only what a URL may hold (a space or a
    control character is refused, in one line, before any sign-in)."""
    if not PATH_PATTERN.fullmatch(path):
        raise UserError(f"The path {path!r} is not a URL path: it must start with / and hold no space or "
                        "control character (write a space as %20), e.g. /projects/p1/items.")


def call(api_url: str, method: str, path: str, token: str, timeout: float = 30, body: bytes | None = None) -> ApiResponse:
    url = api_url.rstrip("/") + "/" + path.lstrip("/")
    if not url.startswith(("https://", "http://")):
        raise AwsError(f"The API URL {api_url} is not an http(s) URL")
    request = urllib.request.Request(url, method=method.upper(), data=body)  # noqa: S310
    request.add_unredirected_header("Authorization", token)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with _OPENER.open(request, timeout=timeout) as response:  # the stack's API URL
            return ApiResponse(response.status, response.read().decode(), response.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as error:
        return ApiResponse(error.code, error.read().decode(), error.headers.get("Content-Type", ""))
    except urllib.error.URLError as error:
        raise AwsError(f"Cannot reach the API at {url}: {error.reason}") from error
