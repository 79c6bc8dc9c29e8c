"""A cold burst: on a freshly deployed stack, 200 users each sign in once, 32 at a time; how many succeed,
and whether each token carries its own user's projects."""

from __future__ import annotations

import csv
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import jwt

from benchmarks.stack import PASSWORD, Deployed


def _seed(stack: Deployed, users: int) -> dict[str, str]:
    expected = {f"burst{n:03d}": f"b-{n:03d}" for n in range(users)}
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "users.csv"
        with source.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["username", "email", "projects", "password"])
            writer.writerows([name, f"{name}@example.com", project, PASSWORD] for name, project in expected.items())
        stack.claimsctl("add-user", "--from-file", str(source))
    return expected


def run(stack: Deployed, users: int = 200, at_once: int = 32) -> dict[str, Any]:
    expected = _seed(stack, users)

    def one(name: str) -> bool:
        try:
            claims = jwt.decode(stack.sign_in(name)["IdToken"], options={"verify_signature": False})
        except Exception:  # noqa: BLE001 - a failed sign-in is what this counts
            return False
        return bool(claims.get("projects") == expected[name])

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=at_once) as pool:
        outcomes = list(pool.map(one, expected))
    return {"succeeded": sum(outcomes), "total": len(outcomes), "at_once": at_once,
            "seconds": round(time.perf_counter() - started, 2)}
