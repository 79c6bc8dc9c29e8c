"""Sign-in with the trigger: first and warm latency, and sign-ins per second with 1, 4 and 16 clients."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from benchmarks.common import summary_ms
from benchmarks.stack import PASSWORD, Deployed


def run(stack: Deployed, calls: int = 200) -> dict[str, Any]:
    stack.claimsctl("add-user", "--username", "loader", "--email", "l@example.com", "--projects", "p1,p2",
                    "--password-stdin", stdin=PASSWORD + "\n")

    def one(_: int) -> float:
        started = time.perf_counter()
        stack.sign_in("loader")
        return time.perf_counter() - started

    first = one(0)
    warm = [one(i) for i in range(calls)]
    throughput = {}
    for clients in (1, 4, 16):
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(one, range(clients * 4)))  # warm: one Lambda worker per concurrent sign-in
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(one, range(calls)))
        throughput[f"{clients}_clients_per_s"] = round(calls / (time.perf_counter() - started), 1)
    return {"first_ms": round(first * 1000, 1), "warm": summary_ms(warm), **throughput}
