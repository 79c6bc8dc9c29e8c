"""User names as Cognito matches them: exactly, or ignoring case when the pool says so.

UsernameConfiguration.CaseSensitive is False in claimsctl's template (AWS's
advice), and True when a pool does not set it (AWS's default). In a
case-insensitive pool `CASEY` finds the user `casey`, and a second user whose
name differs only in case is refused as an existing user. moto matches names
exactly; its every lookup goes through `CognitoIdpUserPool._get_user`, which is
wrapped here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.cognitoidp.models import CognitoIdpUserPool

from claimsctl.local import patches


def case_sensitive(pool: CognitoIdpUserPool) -> bool:
    configuration = pool.extended_config.get("UsernameConfiguration") or {}
    value = configuration.get("CaseSensitive", True)
    return value not in (False, "false", "False")


def _wrap_get_user(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def get_user(self: CognitoIdpUserPool, username: str) -> Any:
        found = original(self, username)
        if found is not None or case_sensitive(self) or not isinstance(username, str):
            return found
        folded = username.casefold()
        return next((user for name, user in self.users.items() if name.casefold() == folded), None)

    return get_user


PATCHES = (patches.wrap(CognitoIdpUserPool, "_get_user", _wrap_get_user),)
