"""The CloudFormation resource provider schemas, as shipped by cfn-lint.

The emulator uses them as AWS's resource handlers do: to refuse properties a
type does not have, to require the ones it must have, and to know which
property changes force a replacement.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from claimsctl.local.cfn.errors import ResourceFailure


@cache
def _schema(region: str, resource_type: str) -> dict[str, Any] | None:
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER  # imported lazily: ~1 s on first use

    try:
        return PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - an unknown type simply has no schema to check against
        return None


def _top_level(pointers: list[str]) -> set[str]:
    return {p.split("/")[2] for p in pointers if p.startswith("/properties/")}


def validate_properties(region: str, logical_id: str, resource_type: str, properties: dict[str, Any]) -> None:
    """Raise ResourceFailure naming an extraneous or missing property, as AWS's handlers do."""
    schema = _schema(region, resource_type)
    if schema is None:
        return
    known = set(schema.get("properties", {})) - _top_level(schema.get("readOnlyProperties", []))
    prefix = f"Properties validation failed for resource {logical_id} with message:"
    extraneous = sorted(set(properties) - known)
    if extraneous and schema.get("additionalProperties") is False:
        raise ResourceFailure(f"{prefix} #: extraneous key [{extraneous[0]}] is not permitted")
    missing = [name for name in schema.get("required", []) if name not in properties]
    if missing:
        raise ResourceFailure(f"{prefix} #: required key [{missing[0]}] not found")


def requires_replacement(region: str, resource_type: str, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """True when a changed property is create-only for this type."""
    schema = _schema(region, resource_type)
    if schema is None:
        return False
    create_only = _top_level(schema.get("createOnlyProperties", []))
    return any(old.get(name) != new.get(name) for name in create_only)
