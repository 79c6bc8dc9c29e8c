"""Bulk seeding: 1,000 users from one file against adding users one command at a time."""

from __future__ import annotations

import csv
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.stack import PASSWORD, Deployed


def run(stack: Deployed, users: int = 1000, one_by_one: int = 20) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "users.csv"
        with source.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["username", "email", "projects", "password"])
            for n in range(users):
                writer.writerow([f"seed{n:04d}", f"seed{n:04d}@example.com", f"p{n % 50},shared", PASSWORD])
        started = time.perf_counter()
        stack.claimsctl("add-user", "--from-file", str(source), "--concurrency", "16")
        bulk_seconds = time.perf_counter() - started
        started = time.perf_counter()
        stack.claimsctl("add-user", "--from-file", str(source), "--concurrency", "16")
        rerun_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for n in range(one_by_one):
        stack.claimsctl("add-user", "--username", f"single{n:03d}", "--email", f"single{n:03d}@example.com",
                        "--projects", "p1", "--password-stdin", stdin=PASSWORD + "\n")
    per_command = (time.perf_counter() - started) / one_by_one
    return {"users": users, "bulk_s": round(bulk_seconds, 2), "bulk_users_per_s": round(users / bulk_seconds, 1),
            "rerun_unchanged_s": round(rerun_seconds, 2), "one_command_each_s_per_user": round(per_command, 3),
            "one_command_each_estimated_s": round(per_command * users, 1),
            "speedup": round(per_command * users / bulk_seconds, 1)}
