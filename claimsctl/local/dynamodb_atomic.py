"""DynamoDB's UpdateItem is atomic: an update it refuses (the item would pass 400 KB, say) leaves the item as
it was, and makes no item where there was none. moto applies an update's actions to the stored item before
checking the result's size, so a refused update would stay half-applied (or leave an item holding only its
key); the emulator puts the item back as it was before raising the error."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

from claimsctl.local import patches


def _atomic(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_item(self: DynamoDBBackend, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
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

    return update_item


PATCHES = (patches.wrap(DynamoDBBackend, "update_item", _atomic),)
