"""Fault injection for tests and benchmarks: make chosen AWS operations answer like a throttled service.

POST /_claimsctl/faults {"throttle": {"AWSCognitoIdentityProviderService.AdminCreateUser": 0.3}, "seed": 7}
makes that fraction of those calls fail with TooManyRequestsException (HTTP 400), as Cognito's quotas do.
An empty body clears every fault.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from claimsctl.local import state

_lock = threading.Lock()


@dataclass
class _Faults:
    throttle: dict[str, float] = field(default_factory=dict)
    random: random.Random = field(default_factory=lambda: random.Random(0))  # noqa: S311 - faults, not crypto
    injected: Counter[str] = field(default_factory=Counter)


_FAULTS = state.Slot(_Faults)


def configure(document: dict[str, Any]) -> dict[str, Any]:
    rates = document.get("throttle") or {}
    if not isinstance(rates, dict) or not all(isinstance(v, (int, float)) and 0 <= v <= 1 for v in rates.values()):
        raise ValueError('"throttle" must map X-Amz-Target values to rates from 0 to 1')
    faults = _FAULTS.get()
    with _lock:
        faults.throttle.clear()
        faults.throttle.update({str(k): float(v) for k, v in rates.items()})
        faults.random.seed(document.get("seed", 0))
    return {"throttle": dict(faults.throttle)}


def throttled(target: str) -> bool:
    """True when this call should be refused as throttled."""
    faults = _FAULTS.get()
    if not faults.throttle:
        return False
    with _lock:
        rate = faults.throttle.get(target, 0.0)
        refuse = rate > 0 and faults.random.random() < rate
    if refuse:
        faults.injected[target] += 1
    return refuse


def injected() -> dict[str, int]:
    """Calls refused as throttled, by X-Amz-Target."""
    return dict(_FAULTS.get().injected)


def throttle_response() -> tuple[str, list[tuple[str, str]], bytes]:
    body = json.dumps({"__type": "TooManyRequestsException", "message": "Too many requests"}).encode()
    headers = [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(body))),
               ("x-amzn-ErrorType", "TooManyRequestsException")]
    return "400 Bad Request", headers, body
