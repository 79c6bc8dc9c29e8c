"""Row attribute values as DynamoDB stores them, and what it would refuse (the CLI's tests are in
tests/e2e/test_rows.py; these are the Python values only the test kit can give)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from claimsctl import row_attributes


def test_python_values_take_dynamodb_types() -> None:
    assert row_attributes.typed("a", 0.1) == {"N": "0.1"}
    assert row_attributes.typed("a", Decimal("1.10")) == {"N": "1.10"}
    assert row_attributes.typed("a", {"b", "a"}) in ({"SS": ["a", "b"]}, {"SS": ["b", "a"]})
    assert row_attributes.typed("a", (1, True, None)) == {"L": [{"N": "1"}, {"BOOL": True}, {"NULL": True}]}
    assert row_attributes.typed("a", None) is None


@pytest.mark.parametrize(("value", "message"), [
    (b"raw", "a bytes cannot be stored"), ({"a", 1}, "a:"), (frozenset(), "no empty set"),
    (float("inf"), "NaN or Infinity"), ({1: "x"}, "keys must be non-empty strings"),
    (Decimal("1e-200"), "38 significant digits"),
])
def test_what_dynamodb_refuses_is_named(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        row_attributes.typed("a", value)


def test_already_held_compares_plain_values() -> None:
    change = {"level": {"N": "4"}, "gone": None}
    assert row_attributes.already_held({"level": 4}, change)
    assert not row_attributes.already_held({"level": 4, "gone": "x"}, change)
    assert not row_attributes.already_held({"level": "4"}, change)
