"""A loopback endpoint where nothing listens: how long `claimsctl status` takes to say so (the whole command,
as a user waits for it), and the refused call alone once the client exists. botocore would retry the refused
connection with back-off (4 to 10 s); claimsctl does not retry it on loopback.

Run: python -m benchmarks.dead_endpoint [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, save


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def command_seconds(runs: int) -> list[float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    samples = []
    with tempfile.TemporaryDirectory() as scratch:
        inputs = Path(scratch) / "stackInputs.json"
        inputs.write_text((ROOT / "stackInputs.json").read_text())
        for _ in range(runs):
            command = [sys.executable, str(ROOT / "cli.py"), "status", "--inputs", str(inputs), "--endpoint-url",
                       f"http://127.0.0.1:{_closed_port()}"]
            started = time.perf_counter()
            result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)
            samples.append(time.perf_counter() - started)
            assert result.returncode == 1 and "Nothing answers" in result.stderr, result.stderr
    return samples


def call_seconds(runs: int) -> list[float]:
    from claimsctl.aws import Aws, EndpointUnreachable

    client = Aws(region="us-east-1", endpoint_url=f"http://127.0.0.1:{_closed_port()}").client("cloudformation")
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        try:
            client.describe_stacks(StackName="x")
        except EndpointUnreachable:
            samples.append(time.perf_counter() - started)
    return samples


def run(runs: int) -> dict[str, Any]:
    command, call = command_seconds(runs), call_seconds(runs)
    return {"runs": runs, "cores": os.cpu_count(), "status_command_median_s": round(statistics.median(command), 3),
            "status_command_max_s": round(max(command), 3),
            "refused_call_median_ms": round(statistics.median(call) * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    result = run(parser.parse_args().runs)
    print(json.dumps(result, indent=2))
    print(f"results: {save('dead_endpoint', result)}")


if __name__ == "__main__":
    main()
