"""CLI start-up: `claimsctl --help` against `python -c pass`, `python -c "import click"` and a minimal click app's
`--help` (benchmarks/minimal_click_app.py: the least a click CLI's help can cost; the goal is claimsctl within
1.25x of it), and `sam --help` when SAM CLI is installed.

Run: python benchmarks/cli_startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from typing import Any

from benchmarks.common import ROOT, save

# As an installed tool runs: pip compiles the package's bytecode at install, so each command gets one untimed
# run that may write it (a shell with PYTHONDONTWRITEBYTECODE=1 would otherwise time the compiler too).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_seconds(command: list[str], runs: int) -> float:
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=ROOT, env=ENV)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=ROOT, env=ENV)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def measure(runs: int = 30) -> dict[str, Any]:
    claimsctl = shutil.which("claimsctl") or ""
    baseline = median_seconds([sys.executable, "-c", "pass"], runs)
    result: dict[str, Any] = {
        "runs": runs,
        "python_c_pass_ms": round(baseline * 1000, 1),
        "python_import_click_ms": round(median_seconds([sys.executable, "-c", "import click"], runs) * 1000, 1),
        "claimsctl_help_ms": round(median_seconds([claimsctl or sys.executable, *([] if claimsctl else [str(ROOT / "cli.py")]),
                                                   "--help"], runs) * 1000, 1),
        "minimal_click_app_help_ms": round(median_seconds([sys.executable, str(ROOT / "benchmarks" /
                                                                          "minimal_click_app.py"), "--help"], runs)
                                           * 1000, 1),
        "claimsctl_render_ms": round(median_seconds([sys.executable, str(ROOT / "cli.py"), "render"], runs) * 1000, 1),
    }
    result["help_over_python_ms"] = round(result["claimsctl_help_ms"] - result["python_c_pass_ms"], 1)
    result["help_over_minimal_click_app"] = round(result["claimsctl_help_ms"] / result["minimal_click_app_help_ms"], 2)
    sam = shutil.which("sam")
    result["sam_help_ms"] = round(median_seconds([sam, "--help"], runs) * 1000, 1) if sam else None
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    result = measure(parser.parse_args().runs)
    print(json.dumps(result, indent=2))
    print(f"results: {save('cli_startup', result)}")


if __name__ == "__main__":
    main()
