"""A users-table item as plain Python values: what `claims_for` receives (no DynamoDB type tags).

Numbers become int (or float), string and number sets become sorted lists, binary values are dropped:
a claim is text, and a row is data a user stored, read back as input.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from claimsctl_runtime.machines import PRINCIPAL

KEY = "userName"  # the table's key: a user's name as Cognito stores it, or a machine client's id
PROJECTS = "projects"
CLIENT_NAME = "clientName"  # a machine client's row: the client's name (beside PRINCIPAL, its marker)
MANAGED = (KEY, PROJECTS, PRINCIPAL, CLIENT_NAME)  # written by claimsctl alone; every other attribute is the user's

_DESERIALIZER = TypeDeserializer()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value if not isinstance(v, bytes | bytearray))
    if isinstance(value, list):
        return [_plain(v) for v in value if not isinstance(v, bytes | bytearray)]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if not isinstance(v, bytes | bytearray)}
    return value


def plain(item: dict[str, Any] | None) -> dict[str, Any] | None:
    """The item's attributes as plain values; None for no item. An attribute that cannot be read is left out."""
    if item is None:
        return None
    row = {}
    for name, tagged in item.items():
        try:
            value = _DESERIALIZER.deserialize(tagged)
        except (TypeError, ValueError, KeyError, AttributeError):
            continue
        if not isinstance(value, bytes | bytearray):
            row[name] = _plain(value)
    return row


def own_attributes(row: dict[str, Any] | None) -> dict[str, Any]:
    """The attributes of a plain row that claimsctl does not manage (a tenant, a department...)."""
    return {name: value for name, value in (row or {}).items() if name not in MANAGED}
