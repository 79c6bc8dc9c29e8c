"""The one registry of what the emulator changes in moto, and the order the changes are made in.

Each extension module declares `PATCHES`: the attributes of moto's classes and modules it sets, each as a
`Patch` (what it patches, and how the replacement is made from the original). Some also declare `USES`:
moto internals they read without patching. `ORDER` (extensions.py) lists the modules in the one order they
are applied; `points()` derives from them the extension points checked before anything is installed, so
the list of points can never drift from what is patched. `apply()` is the only place that sets them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any


@dataclass(frozen=True)
class Patch:
    owner: Any  # a class or module of moto's
    name: str
    make: Callable[[Any], Any]  # the original attribute (None when `new`) -> its replacement
    new: bool = False  # moto has no such attribute: the patch adds it, so nothing is checked for it

    @property
    def point(self) -> str:
        """The dotted name of what is patched, e.g. moto.cognitoidp.models.CognitoIdpBackend.get_user."""
        module = self.owner.__name__ if isinstance(self.owner, ModuleType) else self.owner.__module__
        owner = "" if isinstance(self.owner, ModuleType) else f"{self.owner.__qualname__}."
        return f"{module}.{owner}{self.name}"


def replace(owner: Any, name: str, value: Any, new: bool = False) -> Patch:
    """Set `owner.name` to `value`."""
    return Patch(owner, name, lambda original: value, new)


def wrap(owner: Any, name: str, wrapper: Callable[[Any], Any]) -> Patch:
    """Set `owner.name` to `wrapper(original)`."""
    return Patch(owner, name, wrapper)


def apply(patches: Iterable[Patch]) -> None:
    for patch in patches:
        original = None if patch.new else getattr(patch.owner, patch.name)
        setattr(patch.owner, patch.name, patch.make(original))


def declared(module: ModuleType) -> tuple[Patch, ...]:
    return tuple(getattr(module, "PATCHES", ()))


def points(modules: Iterable[ModuleType]) -> list[str]:
    """Every moto internal the modules patch (what already exists) or read (their `USES`), in order."""
    found: dict[str, None] = {}
    for module in modules:
        for patch in declared(module):
            if not patch.new:
                found[patch.point] = None
        for used in getattr(module, "USES", ()):
            found[used] = None
    return list(found)
