"""DynamoDB's UpdateItem is atomic: an update it refuses (the item would pass 400 KB, say) leaves the item as
it was, and makes no item where there was none. moto applies an update's actions to the stored item before
checking the result's size, so a refused update would stay half-applied (or leave an item holding only its
key); the emulator puts the item back as it was before raising the error. Updates run one at a time (the server
is threaded), so putting an item back never overwrites another request's write to it."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

from claimsctl.local import patches

_UPDATES = threading.Lock()


def _atomic(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_item(self: DynamoDBBackend, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        with _UPDATES:
            return _applied_or_put_back(original, self, table_name, key, *args, **kwargs)

    return update_item


def _applied_or_put_back(original: Callable[..., Any], self: DynamoDBBackend, table_name: str, key: dict[str, Any],
                         *args: Any, **kwargs: Any) -> Any:
    table = self.get_table(table_name)
    hash_value, range_value = self.get_keys_value(table, key)
    before = table.get_item(hash_value, range_value)
    kept = copy.deepcopy(before.attrs) if before is not None else None
    try:
        return original(self, table_name, key, *args, **kwargs)
    except Exception:
        after = table.get_item(hash_value, range_value)
        if after is not None and kept is None:
            table.delete_item(hash_value, range_value)
        elif after is not None and kept is not None:
            after.attrs = kept
        raise


PATCHES = (patches.wrap(DynamoDBBackend, "update_item", _atomic),)
