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
from typing import Any

_lock = threading.Lock()
_throttle: dict[str, float] = {}
_random = random.Random(0)  # noqa: S311 - fault injection, not cryptography
injected: Counter[str] = Counter()


def configure(document: dict[str, Any]) -> dict[str, Any]:
    rates = document.get("throttle") or {}
    if not isinstance(rates, dict) or not all(isinstance(v, (int, float)) and 0 <= v <= 1 for v in rates.values()):
        raise ValueError('"throttle" must map X-Amz-Target values to rates from 0 to 1')
    with _lock:
        _throttle.clear()
        _throttle.update({str(k): float(v) for k, v in rates.items()})
        _random.seed(document.get("seed", 0))
    return {"throttle": dict(_throttle)}


def throttled(target: str) -> bool:
    """True when this call should be refused as throttled."""
    with _lock:
        rate = _throttle.get(target, 0.0)
        refuse = rate > 0 and _random.random() < rate
    if refuse:
        injected[target] += 1
    return refuse


def throttle_response() -> tuple[str, list[tuple[str, str]], bytes]:
    body = json.dumps({"__type": "TooManyRequestsException", "message": "Too many requests"}).encode()
    headers = [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(body))),
               ("x-amzn-ErrorType", "TooManyRequestsException")]
    return "400 Bad Request", headers, body
