"""Where AWS endpoints live on the emulator, and the rewrite of AWS URLs in stack outputs to point there.

On AWS                                             On the emulator
https://{domain}.auth.{region}.amazoncognito.com   {endpoint}/hosted-ui/{domain}
https://{api}.execute-api.{region}.amazonaws.com   {endpoint}/execute-api/{api}
https://{label}.cloudfront.net                     http://{label}.cloudfront.localhost:{port}

A distribution gets a host name of its own, not a path under the endpoint, because on AWS it is an origin
of its own: the app it serves keeps root-relative paths and is a cross-origin caller of the emulator, as it
is of AWS. Browsers resolve every *.localhost name to loopback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from claimsctl.local import state

_HOSTED_UI = re.compile(r"^https://(?P<name>[a-z0-9-]+)\.auth\.[a-z0-9-]+\.amazoncognito\.com")
_EXECUTE_API = re.compile(r"^https://(?P<name>[a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com")
_CLOUDFRONT = re.compile(r"^https://(?P<name>[a-z0-9]+)\.cloudfront\.net")
_VIEWER_HOST = re.compile(r"(?P<name>[a-z0-9]+)\.cloudfront\.localhost(?::\d+)?")

def endpoint() -> str:
    """The running emulator's URL."""
    return state.current().endpoint_url


def hosted_ui_base(domain: str) -> str:
    return f"{endpoint()}/hosted-ui/{domain}"


def execute_api_base(api_id: str) -> str:
    return f"{endpoint()}/execute-api/{api_id}"


def cloudfront_base(label: str) -> str:
    from urllib.parse import urlsplit

    return f"http://{label}.cloudfront.localhost:{urlsplit(endpoint()).port}"


def viewer_label(host: str) -> str | None:
    """The distribution's label when a Host header names a distribution's viewer, else None."""
    match = _VIEWER_HOST.fullmatch(host.lower())
    return match.group("name") if match else None


# Which of the three kinds of AWS URL names something the emulator has: each service registers its lookup
# (a hosted-UI domain, an API id, a distribution's label -> the thing, or None), so this module imports none.
_RULES: dict[str, tuple[re.Pattern[str], Callable[[str], str]]] = {
    "hosted-ui": (_HOSTED_UI, hosted_ui_base), "execute-api": (_EXECUTE_API, execute_api_base),
    "cloudfront": (_CLOUDFRONT, cloudfront_base)}
_LOOKUPS: dict[str, Callable[[str], Any]] = {}


def register(kind: str, lookup: Callable[[str], Any]) -> None:
    """A service says how to find what a URL of `kind` ("hosted-ui", "execute-api", "cloudfront") names."""
    if kind not in _RULES:
        raise ValueError(f"no URL rule for {kind!r}")
    _LOOKUPS[kind] = lookup


def emulator_url(value: Any) -> Any:
    """Point an AWS hosted-UI, execute-api or CloudFront URL at the emulator when the emulator has it."""
    if not isinstance(value, str):
        return value
    for kind, (pattern, base) in _RULES.items():
        match = pattern.match(value)
        lookup = _LOOKUPS.get(kind)
        if match and lookup is not None and lookup(match.group("name")) is not None:
            return base(match.group("name")) + value[match.end():]
    return value
