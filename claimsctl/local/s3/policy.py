"""Bucket policies evaluated with their conditions, as S3 does.

moto applies a bucket policy's `Principal: "*"` statements to object requests but ignores their
`Condition`, so the usual TLS-only statement (Deny s3:* unless aws:SecureTransport) denies every
request, even over HTTPS. Here a statement applies only when its principal, action, resource and
every condition match the request, following IAM's rules: a condition key absent from the request
makes its condition false, except for `...IfExists` operators and `Null`. An explicit Deny wins over
an Allow.

The emulator listens on plain HTTP on loopback but stands for AWS's HTTPS endpoints, so requests
made to it count as secure transport (docs/emulator.md).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Mapping
from typing import Any

from moto.iam.access_control import PermissionResult
from moto.s3.models import FakeBucket

from claimsctl.local import patches

ALLOWED, DENIED, NEUTRAL = "ALLOWED", "DENIED", "NEUTRAL"
SECURE = {"aws:securetransport": "true"}  # every request to the emulator stands for an HTTPS one


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _like(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    if not case_sensitive:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern)


_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "stringequals": lambda expected, actual: actual == expected,
    "stringnotequals": lambda expected, actual: actual != expected,
    "stringequalsignorecase": lambda expected, actual: actual.lower() == expected.lower(),
    "stringlike": _like,
    "stringnotlike": lambda expected, actual: not _like(expected, actual),
    "arnequals": lambda expected, actual: actual == expected,
    "arnlike": _like,
    "arnnotequals": lambda expected, actual: actual != expected,
    "arnnotlike": lambda expected, actual: not _like(expected, actual),
    "bool": lambda expected, actual: actual.lower() == str(expected).lower(),
}


def _condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, str]) -> bool:
    name = operator.lower()
    if_exists = name.endswith("ifexists")
    name = name.removesuffix("ifexists")
    actual = context.get(key.lower())
    if name == "null":
        return (actual is None) == (str(expected).lower() == "true")
    if actual is None:
        return if_exists
    compare = _OPERATORS.get(name)
    if compare is None:
        return False  # an operator the emulator does not know never matches: fail closed for Allow
    negated = name.startswith(("stringnot", "arnnot"))
    results = [compare(str(value), actual) for value in _as_list(expected)]
    return all(results) if negated else any(results)


def _conditions_hold(conditions: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    return all(_condition_holds(operator, key, expected, context)
               for operator, clauses in conditions.items() for key, expected in clauses.items())


def _principal_matches(principal: Any, service: str | None) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    if service is not None:
        return service in _as_list(principal.get("Service", []))
    return "*" in _as_list(principal.get("AWS", []))


def _matches_any(patterns: Any, value: str, case_sensitive: bool = True) -> bool:
    return any(_like(str(pattern), value, case_sensitive) for pattern in _as_list(patterns))


def evaluate(policy: bytes | str | None, action: str, resource: str, *, service: str | None = None,
             context: Mapping[str, str] = SECURE) -> str:
    """ALLOWED, DENIED or NEUTRAL for `action` on `resource` by a caller (an AWS service principal when
    `service` is given, else any caller), with the request's condition keys in `context`."""
    if not policy:
        return NEUTRAL
    try:
        document = json.loads(policy)
    except ValueError:
        return NEUTRAL
    context = {key.lower(): value for key, value in context.items()}
    verdict = NEUTRAL
    for statement in _as_list(document.get("Statement", [])):
        if not isinstance(statement, Mapping):
            continue
        applies = (_principal_matches(statement.get("Principal"), service)
                   and _matches_any(statement.get("Action", []), action, case_sensitive=False)
                   and _matches_any(statement.get("Resource", []), resource)
                   and _conditions_hold(statement.get("Condition") or {}, context))
        if applies and statement.get("Effect") == "Deny":
            return DENIED
        if applies and statement.get("Effect") == "Allow":
            verdict = ALLOWED
    return verdict


_RESULTS = {ALLOWED: PermissionResult.PERMITTED, DENIED: PermissionResult.DENIED, NEUTRAL: PermissionResult.NEUTRAL}


def _get_permission(self: FakeBucket, action: str, resource: str) -> Any:
    """moto's object requests see bucket policies through FakeBucket.get_permission: conditions are evaluated."""
    return _RESULTS[evaluate(self.policy, action, resource)]


PATCHES = (patches.replace(FakeBucket, "get_permission", _get_permission),)
