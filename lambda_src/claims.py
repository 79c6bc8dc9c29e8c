"""What the token says and what it allows: the one file of this project's Lambda code to edit.

claimsctl's generic code calls these two functions and does everything around them: reading the user's
row, refusing reserved claim names, encoding values for the trigger version, the token size budget, the
authorizer's policy, and the same decision in the standard design (CheckUserAccess). Change them, run
`claimsctl deploy`, and `claimsctl explain USER` shows what a user's token will say and allow.

The shipped rules: each user (or machine client) has roles in some projects, stored in its users-table
row as `projects`, a list such as ["p1:editor", "p2"] (a project without a role is "viewer"; the post's
comma string "p1,p2" means viewer on each). The claim lists them the same way.

    role     may
    viewer   GET    /projects/{id}/items
    editor   that, and POST /projects/{id}/items
    owner    that, and DELETE /projects/{id}/items/{itemId}
"""

from __future__ import annotations

import os
from typing import Any

from claimsctl_runtime import projects

CLAIM = os.environ.get("CLAIM_NAME", "projects")
ROLES = ("viewer", "editor", "owner")  # least to most: each may do what the ones before it may
ROUTES_BY_ROLE = {
    "viewer": [("GET", "/projects/{id}/items")],
    "editor": [("POST", "/projects/{id}/items")],
    "owner": [("DELETE", "/projects/{id}/items/*")],
}
# What each role may do, with everything the roles before it may: viewer's, then editor's, then owner's.
_CUMULATIVE = {role: [r for earlier in ROLES[: i + 1] for r in ROUTES_BY_ROLE[earlier]] for i, role in enumerate(ROLES)}


def claims_for(principal: str, row: dict[str, Any] | None) -> dict[str, Any]:
    """The claims to add to the token of `principal`: a user name, or with trigger V3_0 a machine client's id
    (`claimsctl add-client`; its row also holds "principal": "client" and its "clientName").

    `row` is the principal's users-table item as plain values, or None when it has none:
        claims_for("alice", {"userName": "alice", "projects": ["p1:editor", "p2"]})
        -> {"projects": ["p1:editor", "p2"]}
    """
    grants = projects.grants_from_row(principal, row, ROLES)
    return {CLAIM: projects.encode_grants(grants, ROLES)}


def routes_for(claims: dict[str, Any]) -> list[tuple[str, str]]:
    """The routes the verified claims allow, as (METHOD, path); a path segment may be "*" (any one segment).

        routes_for({"projects": "p1:editor,p2"})
        -> [("GET", "/projects/p1/items"), ("POST", "/projects/p1/items"), ("GET", "/projects/p2/items")]
    """
    allowed = []
    for grant in projects.grants_from_claim(claims.get(CLAIM), ROLES, str(claims.get("sub", ""))):
        allowed += [(method, path.replace("{id}", grant.project)) for method, path in _CUMULATIVE[grant.role]]
    return allowed
