"""Reading a user's projects from its users-table item: one shape for the trigger and CheckUserAccess."""

from __future__ import annotations

from typing import Any


def projects_from_item(item: dict[str, Any] | None) -> list[str]:
    """The sorted project ids of an item: a list (as claimsctl writes it), a string set, or "p1,p2"."""
    value = (item or {}).get("projects") or {}
    if "L" in value:
        ids = [entry["S"] for entry in value["L"] if "S" in entry]
    elif "SS" in value:
        ids = list(value["SS"])
    elif "S" in value:
        ids = value["S"].split(",")
    else:
        ids = []
    return sorted({project.strip() for project in ids if project.strip()})
