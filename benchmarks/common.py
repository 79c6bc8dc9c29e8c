"""Helpers shared by the benchmark scripts: a local emulator process, timing statistics, memory."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


@dataclass
class RunningEmulator:
    url: str
    process: subprocess.Popen[str]
    start_seconds: float


@contextmanager
def emulator() -> Iterator[RunningEmulator]:
    """`claimsctl local start --port 0` as its own process; stops it afterwards."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "local", "start", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    urllib.request.urlopen(f"{url}/_claimsctl/health", timeout=10).read()
    elapsed = time.perf_counter() - started
    try:
        yield RunningEmulator(url, process, elapsed)
    finally:
        process.terminate()
        process.wait(timeout=30)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(samples: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples]
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 2), "p99_ms": round(percentile(ms, 99), 2),
            "mean_ms": round(statistics.fmean(ms), 2)}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def children_rss_mb(pid: int) -> float:
    total = 0.0
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        total += rss_mb(int(child))
    return round(total, 1)


def save(name: str, data: object) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def env_with(endpoint: str) -> dict[str, str]:
    return {**os.environ, "AWS_ENDPOINT_URL": endpoint}
