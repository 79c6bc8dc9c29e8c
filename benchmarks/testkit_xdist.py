"""The test kit under pytest-xdist: a project made by `claimsctl init` with its example tests and the staleness
tests of tests/testkit (6 tests that use `claims_stack`), run serially and with `-n 2`, alternately, as a user
runs them (pytest in a process of its own). Each xdist worker starts its own emulator and deploys its own
stack, so `-n 2` pays the session start twice, on the same cores the tests need.

Run: python -m benchmarks.testkit_xdist [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, save
from tests.testkit.user_tests import STALENESS


def _project(folder: Path) -> Path:
    subprocess.run([sys.executable, str(ROOT / "cli.py"), "init", "app"], cwd=folder, check=True, capture_output=True,
                   timeout=120)
    project = folder / "app"
    (project / "tests" / "test_staleness.py").write_text(STALENESS)
    return project


def _seconds(project: Path, *extra: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTEST_"))}
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra], cwd=project,
                            env=env, capture_output=True, text=True, timeout=900, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"pytest {' '.join(extra)} failed:\n{result.stdout[-2000:]}")
    return elapsed


def run(rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        project = _project(Path(scratch))
        pairs = [(_seconds(project), _seconds(project, "-n", "2")) for _ in range(rounds)]  # alternating
    serial = statistics.median(a for a, _ in pairs)
    xdist = statistics.median(b for _, b in pairs)
    return {"cores": os.cpu_count(), "rounds": rounds, "tests": 6, "serial_s": round(serial, 2),
            "xdist_n2_s": round(xdist, 2), "n2_over_serial": round(xdist / serial, 2),
            "samples": [[round(a, 2), round(b, 2)] for a, b in pairs]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    result = run(parser.parse_args().rounds)
    print(json.dumps(result, indent=2))
    print(f"results: {save('testkit_xdist', result)}")


if __name__ == "__main__":
    main()
