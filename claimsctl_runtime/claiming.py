"""The generic half of the pre token generation trigger: what `claims_for` returned, made safe and put in
the response for the event's trigger version.

- Names: a claim Cognito reserves (reserved.py), or a name that is not a claim name, is dropped and logged.
- Values: V1_0 takes strings only, so a list of strings is joined with "," (the post's claim), a number or
  a boolean is written as text, anything else as compact JSON; V2_0 and V3_0 take JSON values as they are.
- Size: a token travels in the Authorization header, which API Gateway limits to 10,240 bytes with the
  request line. Claims are added in name order until the budget (MAX_CLAIM_BYTES, default 5000) is spent;
  one that does not fit is emptied (no access from it) and the token carries the bounded marker
  `"claimsctl:lookup": "row"` instead: both designs then decide from the principal's row (lookup.py).
  One info line is logged.

Standard library only: shipped in the Lambda zip with the rest of claimsctl_runtime.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from claimsctl_runtime.reserved import refused_for_projects

DEFAULT_MAX_CLAIM_BYTES = 5000
LOOKUP_MARKER, LOOKUP_ROW = "claimsctl:lookup", "row"  # claimsctl_runtime.lookup reads it
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]{0,63}")
logger = logging.getLogger("claimsctl")


def _log(event: str, **details: Any) -> None:
    logger.error(json.dumps({"event": event, **details}, default=str))


def checked(principal: str, returned: Any) -> dict[str, Any]:
    """The claims `claims_for` returned that may go in a token; the rest dropped and logged."""
    if not isinstance(returned, Mapping):
        _log("claims_for_returned_no_mapping", principal=principal, got=type(returned).__name__)
        return {}
    kept = {}
    for name, value in returned.items():
        if not isinstance(name, str) or not NAME.fullmatch(name) or refused_for_projects(name):
            _log("claim_name_refused", principal=principal, claim=repr(name)[:80])
        elif value is not None:
            kept[name] = value
    return kept


def v1_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def size(name: str, value: Any) -> int:
    """Bytes `"name":value` adds to the token's JSON payload."""
    return len(json.dumps({name: value}, separators=(",", ":"))) - 2


def _emptied(value: Any) -> Any:
    return "" if isinstance(value, str) else [] if isinstance(value, list) else None


def within_budget(principal: str, claims: dict[str, Any], limit: int, v1: bool) -> dict[str, Any]:
    """The claims that fit, in name order; an overflowing one emptied, and the lookup marker set."""
    fitted: dict[str, Any] = {}
    spent = 0
    for name in sorted(claims):
        cost = size(name, claims[name])
        if spent + cost <= limit:
            fitted[name], spent = claims[name], spent + cost
            continue
        logger.info(json.dumps({"event": "claim_looked_up", "principal": principal, "claim": name, "bytes": cost,
                                "budget_left": limit - spent, "action": "claim left empty; the row is read instead"}))
        empty = _emptied(claims[name])
        if empty is not None:
            fitted[name] = empty
        fitted[LOOKUP_MARKER] = LOOKUP_ROW
    return fitted


def response(version: str, claims: dict[str, Any]) -> dict[str, Any]:
    """The event's `response` for trigger event version "1", "2" or "3"."""
    if version == "1":
        return {"claimsOverrideDetails": {"claimsToAddOrOverride": claims}}
    add = {"claimsToAddOrOverride": claims}
    return {"claimsAndScopeOverrideDetails": {"idTokenGeneration": add, "accessTokenGeneration": add}}


def token_claims(principal: str, version: str, returned: Any, limit: int = DEFAULT_MAX_CLAIM_BYTES) -> dict[str, Any]:
    """The claims a token of this trigger event version gets from what claims_for returned: the trigger's,
    and the standard design's view of a token issued now."""
    v1 = version == "1"
    claims = checked(principal, returned)
    if v1:
        claims = {name: v1_value(value) for name, value in claims.items()}
    return within_budget(principal, claims, limit, v1)


def token_response(principal: str, version: str, returned: Any, limit: int = DEFAULT_MAX_CLAIM_BYTES) -> dict[str, Any]:
    """What the trigger answers Cognito with, from what claims_for returned."""
    return response(version, token_claims(principal, version, returned, limit))
