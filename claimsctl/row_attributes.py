"""A row's own attributes (a tenant, a department...) beside the ones claimsctl manages.

Names are checked (never one claimsctl manages), values are typed as DynamoDB stores them, and a change
is one UpdateItem that sets the projects (or keeps them) and sets or removes only the attributes named:
nothing else a row holds is touched.

A value given as text (`--set`, a CSV cell) is JSON when it parses as JSON, else a string. JSON has no
sets, so claimsctl writes lists (L), maps (M), numbers (N), strings (S), booleans (BOOL); `null` removes
the attribute. Python values (the test kit's) may also be non-empty sets of strings or of numbers.
What DynamoDB refuses is refused first, with a message: NaN and Infinity, a number past 38 significant
digits or outside 1E-130..1E+126, an empty set, nesting deeper than 32 levels, more than 400 KB.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, DecimalException
from typing import Any

from boto3.dynamodb.types import TypeSerializer

from claimsctl_runtime import rows

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,254}")
NAME_HINT = "1-255 letters, digits, '_', '-' or '.', starting with a letter or '_'"
MAX_DEPTH = 32  # DynamoDB: a document nests 32 levels at most, the attribute itself being the first
MAX_ITEM_BYTES = 400 * 1024  # DynamoDB's item size limit, names and values together

Typed = dict[str, Any]  # one value in DynamoDB JSON: {"S": "sales"}, {"N": "4"}, {"L": [...]}
Changes = Mapping[str, Typed | None]  # attribute name -> its new value, or None to remove it

_SERIALIZER = TypeSerializer()


def check_name(name: str) -> None:
    """ValueError unless `name` is an attribute a user may set: valid, and not one claimsctl manages."""
    if name in rows.MANAGED:
        hint = "; change the projects with --projects" if name == rows.PROJECTS else ""
        raise ValueError(f"{name!r} is managed by claimsctl and cannot be set or removed as an attribute "
                         f"(managed: {', '.join(rows.MANAGED)}){hint}.")
    if not NAME.fullmatch(name):
        raise ValueError(f"attribute name {name!r} is not valid: use {NAME_HINT}.")


def _number(value: int | float | Decimal, name: str) -> Decimal:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name}: DynamoDB numbers cannot be NaN or Infinity.")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{name}: DynamoDB numbers cannot be NaN or Infinity.")
    return number


def _plain_for_serializer(value: Any, name: str, depth: int) -> Any:
    """The value with numbers as Decimal, checked against what DynamoDB refuses; ValueError naming `name`."""
    if depth > MAX_DEPTH:
        raise ValueError(f"{name}: nested more than {MAX_DEPTH} levels deep (DynamoDB's limit).")
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float | Decimal):
        return _number(value, name)
    if isinstance(value, list | tuple):
        return [_plain_for_serializer(v, name, depth + 1) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) and k for k in value):
            raise ValueError(f"{name}: a map's keys must be non-empty strings.")
        return {k: _plain_for_serializer(v, name, depth + 1) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        if not value:
            raise ValueError(f"{name}: DynamoDB has no empty set; use an empty list [] instead.")
        return {_plain_for_serializer(v, name, depth + 1) for v in value}
    raise ValueError(f"{name}: a {type(value).__name__} cannot be stored (use strings, numbers, booleans, "
                     "lists, maps or sets).")


def typed(name: str, value: Any) -> Typed | None:
    """A Python (or JSON) value in DynamoDB JSON; None for None (the attribute is removed).
    ValueError naming the attribute when DynamoDB would refuse the value."""
    if value is None:
        return None
    checked = _plain_for_serializer(value, name, 1)
    try:
        result: Typed = _SERIALIZER.serialize(checked)
    except DecimalException:
        raise ValueError(f"{name}: a number has more than 38 significant digits or lies outside "
                         "1E-130..9.99E+125 (DynamoDB's numbers).") from None
    except TypeError as exc:  # e.g. a set mixing strings and numbers
        raise ValueError(f"{name}: {exc}") from None
    return result


def _refuse_constant(constant: str) -> Any:
    raise ValueError(f"{constant} is not a DynamoDB number")


def parse_value(name: str, text: str) -> Any:
    """A value given as text: JSON when it parses as JSON, else the string itself. Text that starts like a
    JSON list or object but is not valid JSON is refused rather than stored as a string by mistake."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError(f"{name}: nested more than {MAX_DEPTH} levels deep (DynamoDB's limit).") from None
    except json.JSONDecodeError as exc:
        if text.lstrip().startswith(("[", "{")):
            raise ValueError(f"{name}: {text[:40]!r} is not valid JSON ({exc.msg}); to store it as text, give it "
                             "as a JSON string.") from None
        return text
    except ValueError as exc:  # NaN or Infinity, or an integer past Python's digit limit
        if "DynamoDB number" in str(exc):
            raise ValueError(f"{name}: DynamoDB numbers cannot be NaN or Infinity; to store the text, give it as "
                             f"a JSON string ('\"{text[:20]}\"').") from None
        raise ValueError(f"{name}: {exc}") from None


def parse_assignment(assignment: str) -> tuple[str, Typed | None]:
    """'NAME=VALUE' -> (name, typed value or None for null); ValueError naming what is wrong."""
    name, equals, text = assignment.partition("=")
    if not equals:
        raise ValueError(f"{assignment[:60]!r} is not NAME=VALUE.")
    check_name(name)
    return name, typed(name, parse_value(name, text))


def changes(assignments: Iterable[str], removals: Iterable[str]) -> dict[str, Typed | None]:
    """--set NAME=VALUE and --unset NAME, checked, as one change; a name given twice is refused."""
    result: dict[str, Typed | None] = {}
    for name, value in [*(parse_assignment(a) for a in assignments), *((n, None) for n in removals)]:
        check_name(name)
        if name in result:
            raise ValueError(f"attribute {name!r} is named twice; name each attribute once.")
        result[name] = value
    check_size(result)
    return result


def size(value: Typed) -> int:
    """DynamoDB's size of a value in bytes (strings and binary by length, numbers by digits, documents with
    their overhead), as its item size limit counts it."""
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return len(str(inner).encode())
    if kind == "N":
        return len(str(inner).lstrip("-").replace(".", "")) // 2 + 2
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS"):
        return sum(size({kind[0]: v}) for v in inner)
    if kind == "L":
        return 3 + sum(1 + size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + size(v) for k, v in inner.items())
    return len(str(inner))


def check_size(change: Changes) -> None:
    """ValueError when the values set alone pass DynamoDB's 400 KB item limit (DynamoDB checks the whole row)."""
    total = sum(len(name.encode()) + size(value) for name, value in change.items() if value is not None)
    if total > MAX_ITEM_BYTES:
        raise ValueError(f"the attributes add up to {total // 1024} KB; a DynamoDB item holds at most 400 KB.")


@dataclass(frozen=True)
class Update:
    """The UpdateExpression of one row change, with its placeholders (#p and :client are the guard's)."""

    expression: str
    names: dict[str, str]
    values: dict[str, Typed]


def update(projects: Typed | None, change: Changes) -> Update:
    """Set the projects (`projects` None: keep them, or an empty list on a new row) and the attributes named;
    remove those whose value is None. Every other attribute of the row is left as it is."""
    names = {"#projects": rows.PROJECTS}
    values: dict[str, Typed] = {":projects": projects if projects is not None else {"L": []}}
    sets = ["#projects = :projects" if projects is not None else "#projects = if_not_exists(#projects, :projects)"]
    removes = []
    for number, (name, value) in enumerate(sorted(change.items())):
        names[f"#a{number}"] = name
        if value is None:
            removes.append(f"#a{number}")
        else:
            values[f":a{number}"] = value
            sets.append(f"#a{number} = :a{number}")
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    return Update(expression, names, values)


def already_held(held: Mapping[str, Any], change: Changes) -> bool:
    """The row's own attributes (plain values) already are what the change would make them."""
    for name, value in change.items():
        if value is None:
            if name in held:
                return False
        elif name not in held or (rows.plain({name: value}) or {}).get(name) != held[name]:
            return False
    return True
