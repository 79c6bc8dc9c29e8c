"""Password policy checks with the reasons Cognito gives ("Password does not conform to policy: ...")."""

from __future__ import annotations

import re
from typing import Any

from moto.core.exceptions import JsonRESTError

SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")


class InvalidPasswordException(JsonRESTError):
    def __init__(self, reason: str) -> None:
        super().__init__("InvalidPasswordException", f"Password does not conform to policy: {reason}")


def policy_problem(policy: dict[str, Any], password: str) -> str | None:
    """The first rule the password breaks, worded as Cognito words it, or None."""
    if len(password) < int(policy.get("MinimumLength", 8)):
        return "Password not long enough"
    if len(password) > 256:
        return "Password is too long"
    checks = (
        ("RequireLowercase", r"[a-z]", "Password must have lowercase characters"),
        ("RequireUppercase", r"[A-Z]", "Password must have uppercase characters"),
        ("RequireNumbers", r"[0-9]", "Password must have numeric characters"),
    )
    for setting, pattern, reason in checks:
        if policy.get(setting, True) and not re.search(pattern, password):
            return reason
    if policy.get("RequireSymbols", True) and not SYMBOLS & set(password):
        return "Password must have symbol characters"
    return None


def validate_password(self: Any, user_pool_id: str, password: str) -> None:
    pool = self.describe_user_pool(user_pool_id)
    policy = (pool.extended_config.get("Policies") or {}).get("PasswordPolicy") or {}
    problem = policy_problem(policy, password or "")
    if problem:
        raise InvalidPasswordException(problem)
