"""Where AWS endpoints live on the emulator, and the rewrite of AWS URLs in stack outputs to point there.

On AWS                                             On the emulator
https://{domain}.auth.{region}.amazoncognito.com   {endpoint}/hosted-ui/{domain}
https://{api}.execute-api.{region}.amazonaws.com   {endpoint}/execute-api/{api}
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from claimsctl.local import state

_HOSTED_UI = re.compile(r"^https://(?P<name>[a-z0-9-]+)\.auth\.[a-z0-9-]+\.amazoncognito\.com")
_EXECUTE_API = re.compile(r"^https://(?P<name>[a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com")

def endpoint() -> str:
    """The running emulator's URL."""
    return state.current().endpoint_url


def hosted_ui_base(domain: str) -> str:
    return f"{endpoint()}/hosted-ui/{domain}"


def execute_api_base(api_id: str) -> str:
    return f"{endpoint()}/execute-api/{api_id}"


def emulator_url(value: Any) -> Any:
    """Point an AWS hosted-UI or execute-api URL at the emulator when the emulator has that domain or API."""
    if not isinstance(value, str):
        return value
    from claimsctl.local.apigateway.execute import find_api
    from claimsctl.local.cognito.pools import for_domain

    rules: list[tuple[re.Pattern[str], Callable[[str], Any], Callable[[str], str]]] = [
        (_HOSTED_UI, for_domain, hosted_ui_base),
        (_EXECUTE_API, find_api, execute_api_base),
    ]
    for pattern, exists, base in rules:
        match = pattern.match(value)
        if match and exists(match.group("name")) is not None:
            return base(match.group("name")) + value[match.end():]
    return value
