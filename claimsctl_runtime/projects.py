"""Project ids and grants: the one rule for what an id is, and the one Python reading of a project list.

Every list of projects that crosses a boundary goes through here: the CLI's
flags and files on the way into DynamoDB, and the row read back by the trigger
and by CheckUserAccess, and the claim read by claims.routes_for on the way out.
An id that breaks the rule is never passed on: on the
way in it is refused with a message, on the way out it is dropped (and the
caller logs it), so data in a row can never widen access ("p1,admin" is not two
projects, "*" is not a wildcard in a policy ARN).

Standard library only: shipped in the Lambda zip with the rest of claimsctl_runtime. A row and a claim
hold grants ("p1:editor", or "p1" for the least role); which roles exist, and what they allow, is the
project's lambda_src/claims.py's to say.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
HINT = "1-64 letters, digits, '_' or '-', starting with a letter or digit"
SEPARATOR = ","  # the V1 claim (strings only) joins the sorted ids with it; no valid id contains it


def is_valid(value: object) -> bool:
    """True for a string that is a whole project id (no surrounding space, no separator, no wildcard)."""
    return isinstance(value, str) and PATTERN.fullmatch(value) is not None


def to_item(ids: Iterable[str]) -> dict[str, Any]:
    """The `projects` attribute as claimsctl writes it: a DynamoDB list of strings."""
    return {"L": [{"S": project} for project in ids]}


# -- roles: a project with the role a principal has in it ------------------------------------------

ROLE_SEPARATOR = ":"  # "p1:editor"; no valid project id contains it


@dataclass(frozen=True)
class Grant:
    """A principal's role in one project. Encoded "p1:editor", or "p1" for the least role (`roles[0]`)."""

    project: str
    role: str

    def encoded(self, roles: Sequence[str]) -> str:
        return self.project if self.role == roles[0] else f"{self.project}{ROLE_SEPARATOR}{self.role}"


def _parts(value: object) -> tuple[str, str | None] | None:
    """(project id, role or None when none is named) of an encoded grant; None unless the id is valid."""
    if not isinstance(value, str):
        return None
    project, separator, role = value.partition(ROLE_SEPARATOR)
    return (project, role if separator else None) if is_valid(project) else None


def grant(value: object, roles: Sequence[str]) -> Grant | None:
    """The grant an encoded value names, or None when its project id or role is not valid."""
    parts = _parts(value)
    if parts is None:
        return None
    role = parts[1] if parts[1] is not None else roles[0]
    return Grant(parts[0], role) if role in roles else None


def _one_per_project(grants: Iterable[Grant], roles: Sequence[str]) -> list[Grant]:
    """Sorted by project; a project named twice keeps its least role (ambiguous data widens nothing)."""
    found: dict[str, Grant] = {}
    for each in grants:
        kept = found.get(each.project)
        if kept is None or roles.index(each.role) < roles.index(kept.role):
            found[each.project] = each
    return [found[project] for project in sorted(found)]


def split_grants(values: Iterable[object], roles: Sequence[str]) -> tuple[list[Grant], list[str]]:
    """(the valid grants, one per project; the rejected values as text): the reading of stored or signed data."""
    grants, rejected = [], []
    for value in values:
        found = grant(value, roles)
        if found is None:
            rejected.append(repr(value)[:80])
        else:
            grants.append(found)
    return _one_per_project(grants, roles), rejected


def parse_grants(raw: str, roles: Sequence[str]) -> tuple[str, ...]:
    """'p1:editor, p2' (a command line or a CSV cell) -> ('p1:editor', 'p2'), encoded and sorted; ValueError
    names the first entry that is not a valid id with a known role."""
    grants = []
    for part in (p.strip() for p in raw.split(SEPARATOR)):
        if not part:
            continue
        found = grant(part, roles)
        if found is None:
            project, _, role = part.partition(ROLE_SEPARATOR)
            if not is_valid(project):
                raise ValueError(f"Project id '{project}' is not valid: use {HINT}.")
            raise ValueError(f"Project '{part}': role '{role}' is not one of {', '.join(roles)}.")
        grants.append(found)
    twice = sorted(project for project, count in Counter(g.project for g in grants).items() if count > 1)
    if twice:
        raise ValueError(f"Project '{twice[0]}' is named more than once; give each project one role.")
    return tuple(g.encoded(roles) for g in _one_per_project(grants, roles))


def grants_in_row(row: dict[str, Any] | None) -> list[object]:
    """The stored values of a plain users-table row's `projects`: a list as claimsctl writes it, or the
    post's comma string (which names projects only: an entry with a role there is not valid)."""
    value = (row or {}).get("projects")
    if isinstance(value, str):
        return [part if ROLE_SEPARATOR not in part else {"invalid": part} for part in value.split(SEPARATOR) if part]
    if isinstance(value, list):
        return list(value)
    return [] if value is None else [value]


def grants_from_row(principal: str, row: dict[str, Any] | None, roles: Sequence[str]) -> list[Grant]:
    """The principal's valid grants read from its row; rejected entries are logged, never passed on."""
    grants, rejected = split_grants(grants_in_row(row), roles)
    if rejected:
        _log_dropped(principal, rejected)
    return grants


def grants_from_claim(value: object, roles: Sequence[str], principal: str = "") -> list[Grant]:
    """The valid grants of a verified claim: a V1 comma string, or a V2 list."""
    values = value if isinstance(value, list) else value.split(SEPARATOR) if isinstance(value, str) else (
        [] if value is None else [value])
    grants, rejected = split_grants((v for v in values if v != ""), roles)
    if rejected:
        _log_dropped(principal, rejected)
    return grants


def encode_grants(grants: Iterable[Grant], roles: Sequence[str]) -> list[str]:
    return [g.encoded(roles) for g in grants]


def _log_dropped(principal: str, rejected: list[str]) -> None:
    logging.getLogger("claimsctl").error(json.dumps({"event": "invalid_grants_dropped", "principal": principal,
                                                     "dropped": rejected[:20], "count": len(rejected)}))


ROLE_PATTERN = re.compile(r"[a-z][a-z0-9_-]{0,31}")


def is_grant(value: object, roles: Sequence[str] | None = None) -> bool:
    """A whole encoded grant: a valid id, with no role or one `roles` has (any well-formed role when None)."""
    parts = _parts(value)
    if parts is None or parts[1] is None:
        return parts is not None
    return parts[1] in roles if roles is not None else ROLE_PATTERN.fullmatch(parts[1]) is not None


def checked_grants(values: Iterable[object], roles: Sequence[str] | None = None) -> tuple[str, ...]:
    """Sorted, de-duplicated encoded grants, each one whole value (a JSON list's element, a row's entry);
    ValueError naming the first that is not a grant."""
    found = []
    for value in values:
        if not is_grant(value, roles):
            shown = repr(value) if not isinstance(value, str) else f"'{value}'"
            known = f" with a role among {', '.join(roles)}" if roles else ""
            raise ValueError(f"Project {shown} is not valid: use a project id ({HINT}){known}, e.g. p1 or p1:editor.")
        found.append(str(value))
    return tuple(sorted(set(found)))


def stored_grants(row: dict[str, Any] | None) -> tuple[str, ...]:
    """The well-formed grants in a plain row, encoded (what list-users shows); anything else is left out."""
    return tuple(sorted({str(v) for v in grants_in_row(row) if is_grant(v)}))
