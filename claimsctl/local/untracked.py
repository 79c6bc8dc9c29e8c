"""moto's BaseModel appends every model object it ever creates to a class-level list (for its /moto-api
dashboard, which the emulator does not serve): every DynamoDB item a GetItem returns, every log event.
The emulator turns that tracking off, so objects live as long as the data they model."""

from __future__ import annotations

from typing import Any

from moto.core.common_models import BaseModel

from claimsctl.local import patches


def _untracked_new(cls: type[Any], *args: Any, **kwargs: Any) -> Any:
    return super(BaseModel, cls).__new__(cls)  # moto's own __new__, minus the tracking


PATCHES = (patches.replace(BaseModel, "__new__", _untracked_new),)
