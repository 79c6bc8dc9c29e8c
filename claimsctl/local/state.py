"""What a running emulator remembers besides moto's backends, owned by that emulator.

Each module that needs to remember something between requests (hosted-UI sessions, OAuth codes, SRP
challenges, counters, caches, the Lambda runtime) declares a `Slot` for it; the value lives in the running
emulator's `EmulatorState`, made when it starts and dropped when it stops. Nothing of one run is left for
the next: `Emulator.stop` also resets moto's backends, which moto keeps in process-wide globals, so an
emulator started later in the same process begins as empty as one in a new process. Two emulators at
once in one process are refused (server.EmulatorAlreadyRunning): moto's backends could not be split.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class EmulatorNotRunning(RuntimeError):
    """Something asked for the running emulator's state when no emulator runs in this process."""


class Slot(Generic[T]):
    """One module's piece of the running emulator's state, made on first use by `make`."""

    def __init__(self, make: Callable[[], T]) -> None:
        self.make = make

    def get(self) -> T:
        return current().value_of(self)


@dataclass
class EmulatorState:
    endpoint_url: str
    _values: dict[Slot[Any], Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def value_of(self, slot: Slot[T]) -> T:
        found = self._values.get(slot)  # the common case needs no lock: a dict read is atomic
        if found is None:
            with self._lock:
                found = self._values.get(slot)
                if found is None:
                    found = self._values[slot] = slot.make()
        return found  # type: ignore[no-any-return]


_current: EmulatorState | None = None


def begin(endpoint_url: str) -> EmulatorState:
    """The state of an emulator that starts now at endpoint_url."""
    global _current
    _current = EmulatorState(endpoint_url.rstrip("/"))
    return _current


def end() -> None:
    global _current
    _current = None


def current() -> EmulatorState:
    if _current is None:
        raise EmulatorNotRunning("The local emulator is not running in this process")
    return _current


def running() -> bool:
    return _current is not None
