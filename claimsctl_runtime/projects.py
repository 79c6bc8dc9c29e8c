"""Project ids: the one rule for what an id is, and the one Python reading of a project list.

Every list of projects that crosses a boundary goes through here: the CLI's
flags and files on the way into DynamoDB, and the row read back by the trigger
and by CheckUserAccess, and the claim read by the authorizer and the items
function on the way out. An id that breaks the rule is never passed on: on the
way in it is refused with a message, on the way out it is dropped (and the
caller logs it), so data in a row can never widen access ("p1,admin" is not two
projects, "*" is not a wildcard in a policy ARN).

Standard library only: the packager ships this file in the Lambda zip as
`claimsctl_projects`, where the handlers import it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
HINT = "1-64 letters, digits, '_' or '-', starting with a letter or digit"
SEPARATOR = ","  # the V1 claim (strings only) joins the sorted ids with it; no valid id contains it


def is_valid(value: object) -> bool:
    """True for a string that is a whole project id (no surrounding space, no separator, no wildcard)."""
    return isinstance(value, str) and PATTERN.fullmatch(value) is not None


def parse_list(raw: str) -> tuple[str, ...]:
    """'p1, p2,p1' (as typed on a command line or in a CSV cell) -> ('p1', 'p2'); ValueError names a bad id."""
    return checked(part.strip() for part in raw.split(SEPARATOR) if part.strip())


def checked(values: Iterable[object]) -> tuple[str, ...]:
    """Sorted, de-duplicated ids; ValueError naming the first value that is not a valid id."""
    ids = []
    for value in values:
        if not is_valid(value):
            shown = repr(value) if not isinstance(value, str) else f"'{value}'"
            raise ValueError(f"Project id {shown} is not valid: use {HINT}.")
        ids.append(str(value))
    return tuple(sorted(set(ids)))


def split_valid(values: Iterable[object]) -> tuple[list[str], list[str]]:
    """(sorted unique valid ids, the rejected values as text): the reading of stored or signed data."""
    valid, rejected = set(), []
    for value in values:
        if is_valid(value):
            valid.add(str(value))
        else:
            rejected.append(repr(value)[:80])
    return sorted(valid), rejected


def raw_from_item(item: dict[str, Any] | None) -> list[object]:
    """The values of a users-table item's `projects` attribute, as stored (a list, a string set, or "p1,p2")."""
    value = (item or {}).get("projects") or {}
    if not isinstance(value, dict):
        return [value]
    if "L" in value:
        return [entry.get("S", entry) if isinstance(entry, dict) else entry for entry in value["L"] or []]
    if "SS" in value:
        return list(value["SS"] or [])
    if "S" in value:
        return [part for part in str(value["S"]).split(SEPARATOR) if part]
    return [value] if value else []


def from_item(item: dict[str, Any] | None) -> tuple[list[str], list[str]]:
    """(valid ids, rejected values) of a users-table item read with the low-level DynamoDB client."""
    return split_valid(raw_from_item(item))


def from_claim(value: object) -> tuple[list[str], list[str]]:
    """(valid ids, rejected values) of a verified claim: a V1 comma string, or a V2 list of strings."""
    if isinstance(value, list):
        return split_valid(value)
    if isinstance(value, str):
        return split_valid(part for part in value.split(SEPARATOR) if part)
    return ([], [] if value is None else [repr(value)[:80]])


def to_claim_v1(ids: Iterable[str]) -> str:
    """The V1 claim value (V1 takes strings only): the ids joined by the separator."""
    return SEPARATOR.join(ids)


def to_item(ids: Iterable[str]) -> dict[str, Any]:
    """The `projects` attribute as claimsctl writes it: a DynamoDB list of strings."""
    return {"L": [{"S": project} for project in ids]}
