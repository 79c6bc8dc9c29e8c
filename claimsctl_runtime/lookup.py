"""Principals whose claims do not fit in a token: the marker their token carries, and the lookup that
replaces the claims (issue 30).

A token whose claims fit the budget (claiming.py) carries them, byte for byte as before. When one does not
fit, it is emptied (so code that reads it directly grants nothing) and the token carries one bounded
marker instead, `"claimsctl:lookup": "row"` (23 bytes, the same in every trigger version). Then:

- the optimized design's authorizer reads the principal's row (one GetItem per token: its decision is
  cached by token), makes the claims from it with the project's claims_for, and answers a policy whose
  routes are collapsed (`policy_routes`), so its size is bounded whatever the number of grants; the
  functions behind it re-check the one request from the claims in the authorizer context;
- the standard design's CheckUserAccess reads the row on every request anyway, and decides from all of
  its claims (`row_claims`), never from a budgeted copy.

Both designs decide with the same claims_for and routes_for: they cannot disagree.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from claimsctl_runtime import claiming, machines, rows
from claimsctl_runtime.routes import ANY_SEGMENT, Route

MARKER, ROW = claiming.LOOKUP_MARKER, claiming.LOOKUP_ROW
# A policy lists at most this many resources: past it, one per method (`GET/*`).
MAX_POLICY_RESOURCES = 20
logger = logging.getLogger("claimsctl")


def marked(claims: dict[str, Any]) -> bool:
    """The token says: look the principal's row up (its claims did not fit)."""
    return claims.get(MARKER) == ROW


def way(claims: dict[str, Any]) -> str:
    """"lookup" for a marked token, else "token" (its claims are in it)."""
    return "lookup" if marked(claims) else "token"


def row_claims(principal: str, version: str, returned: Any) -> dict[str, Any]:
    """Every claim `claims_for` returned, made safe and encoded for the trigger version as a token's are,
    with no size budget: what a lookup decides from."""
    kept = claiming.checked(principal, returned)
    return {name: claiming.v1_value(value) for name, value in kept.items()} if version == "1" else kept


def claims_now(client: Any, table: str | None, kind: str, principal: str, version: str,
               claims_for: Callable[[str, dict[str, Any] | None], Any]) -> dict[str, Any]:
    """The claims `claims_for` makes of the principal's row as stored now (no row without a table), encoded for
    the trigger version, all of them: what the authorizer's lookup and CheckUserAccess decide from."""
    row = read_row(client, table, kind, principal) if table else None
    return row_claims(principal, version, claims_for(principal, row))


def read_row(client: Any, table: str, kind: str, principal: str) -> dict[str, Any] | None:
    """The principal's row as plain values (one GetItem), when it was written for its kind; else None."""
    item = client.get_item(TableName=table, Key={"userName": {"S": principal}}).get("Item")
    row = rows.plain(item)
    if row is not None and machines.row_for(kind, row) is None:
        logger.error(json.dumps({"event": "row_of_other_kind", "principal": principal, "kind": kind,
                                 "action": "no projects from it"}))
        return None
    return row


def _collapsed(group: list[tuple[str, ...]]) -> str:
    """One path for routes of one method and depth: a segment they share stays, any other becomes `*`."""
    return "/" + "/".join(parts[0] if len(set(parts)) == 1 else ANY_SEGMENT for parts in zip(*group, strict=True))


def policy_routes(allowed: Iterable[Route], most: int = MAX_POLICY_RESOURCES) -> list[Route]:
    """The routes a lookup principal's policy lists: every allowed route is covered, in few resources.

    Routes of one method and depth become one (`GET /projects/*/items` for all of the viewer grants);
    past `most`, one per method (`GET /*`). Wider than the grants by design: the policy is cached by
    token for every route, and the function behind re-checks the one request."""
    groups: dict[tuple[str, int], list[tuple[str, ...]]] = {}
    for route in allowed:
        groups.setdefault((route.method, len(route.segments)), []).append(route.segments)
    found = sorted({Route(method, _collapsed(group)) for (method, _), group in groups.items()},
                   key=lambda r: (r.path, r.method))
    if len(found) > most:
        found = sorted({Route(route.method, "/" + ANY_SEGMENT) for route in found}, key=lambda r: r.method)
    return found


def policy_bytes(policy: dict[str, Any]) -> int:
    """Bytes of an authorizer's answer as JSON (what the benchmark and explain report)."""
    return len(json.dumps(policy, separators=(",", ":")).encode())


# A Cognito ID token's own claims (sub, iss, aud, email, times, ids...) as JSON (about 460 bytes), and its
# encoded header (kid and alg: 87) and RS256 signature (342) with the two dots: measured on the emulator's
# tokens (benchmarks/many_projects.py); a user with more attributes has a longer token.
TOKEN_OWN_CLAIM_BYTES = 460
TOKEN_HEADER_AND_SIGNATURE_BYTES = 2 + 87 + 342


def estimated_token_bytes(claim_bytes: int) -> int:
    """About how many bytes a token carrying `claim_bytes` of added claims is (base64url of the JSON)."""
    return TOKEN_HEADER_AND_SIGNATURE_BYTES + -(-(TOKEN_OWN_CLAIM_BYTES + claim_bytes + 1) * 4 // 3)
