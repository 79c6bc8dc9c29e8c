"""Lambda resource policies: may this AWS service, on behalf of this source ARN, invoke the function?"""

from __future__ import annotations

import fnmatch
from typing import Any


def as_list(value: Any) -> list[Any]:
    """A policy field that may be one value or a list, as a list."""
    return value if isinstance(value, list) else [value]


def _conditions_hold(condition: dict[str, Any], source_arn: str, account_id: str) -> bool:
    for operator in ("ArnLike", "ArnEquals", "StringEquals", "StringLike"):
        for key, expected in (condition.get(operator) or {}).items():
            actual = source_arn if key.lower() == "aws:sourcearn" else account_id
            if not any(fnmatch.fnmatchcase(actual, str(e)) for e in as_list(expected)):
                return False
    return True


def permits(function: Any, service: str, source_arn: str, account_id: str) -> bool:
    """True when a statement of the function's policy allows `service` to invoke it for `source_arn`."""
    for statement in function.policy.statements:
        if statement.get("Effect", "Allow") != "Allow":
            continue
        if not {"lambda:InvokeFunction", "lambda:*", "*"} & set(as_list(statement.get("Action", []))):
            continue
        principal = statement.get("Principal", {})
        services = as_list(principal.get("Service", []) if isinstance(principal, dict) else principal)
        if not {service, "*"} & set(services):
            continue
        if _conditions_hold(statement.get("Condition") or {}, source_arn, account_id):
            return True
    return False
