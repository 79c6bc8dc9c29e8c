"""The emulator's clock: the machine's time plus an offset that a test moves forward (`POST /_claimsctl/clock`).

It is what Cognito stamps into tokens (`iat`, `exp`, `auth_time`) and checks on refresh and at userInfo, how
long hosted-UI codes and sessions last, API Gateway's authorizer cache TTL, the Cognito authorizer's view of
`exp`, and what the Lambda workers take as now (each invocation carries the offset; the worker's time.time()
adds it). The machine's clock never moves. TOTP codes and SRP challenges keep the machine's time: an
authenticator app runs on real time. The offset belongs to the running emulator and starts at 0.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from claimsctl.local import state

MAX_ADVANCE_SECONDS = 366 * 86400  # one call moves at most a year: a typo of 3600000 would break every token
_OFFSET: state.Slot[list[float]] = state.Slot(lambda: [0.0])
_lock = threading.Lock()


def offset() -> float:
    """Seconds the emulator's clock is ahead of the machine's (0 when no emulator runs)."""
    return _OFFSET.get()[0] if state.running() else 0.0


def now() -> float:
    return time.time() + offset()


def monotonic() -> float:
    return time.monotonic() + offset()


def advance(seconds: Any) -> float:
    """Move the clock forward; the new offset. ValueError for a negative, non-finite or too large step."""
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0 <= seconds <= MAX_ADVANCE_SECONDS:
        raise ValueError(f"advance takes a number of seconds from 0 to {MAX_ADVANCE_SECONDS} (the clock never goes back)")
    with _lock:
        _OFFSET.get()[0] += float(seconds)
        return _OFFSET.get()[0]


def reset() -> None:
    with _lock:
        _OFFSET.get()[0] = 0.0
