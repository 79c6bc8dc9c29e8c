"""`claimsctl local start` as a user runs it: a process that prints its URL, serves, and stops on a signal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_local_start_serves_on_loopback_and_stops_on_sigterm() -> None:
    process = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "local", "start", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        health = json.loads(urllib.request.urlopen(f"{url}/_claimsctl/health", timeout=5).read())
        assert health["status"] == "ok"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_busy_port_gets_a_clear_message() -> None:
    first = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "local", "start", "--port", "0"],
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert first.stdout is not None
        port = first.stdout.readline().strip().rsplit(":", 1)[1]
        second = subprocess.run([sys.executable, str(ROOT / "cli.py"), "local", "start", "--port", port],
                                capture_output=True, text=True, cwd=ROOT, timeout=60, env={**os.environ})
        assert second.returncode == 1
        assert f"Cannot listen on 127.0.0.1:{port}" in second.stderr
        assert "--port 0" in second.stderr
    finally:
        first.send_signal(signal.SIGINT)
        first.wait(timeout=15)
        time.sleep(0)


def test_a_non_loopback_host_gets_a_loud_warning() -> None:
    # 192.0.2.1 is TEST-NET-1 (RFC 5737): not on this machine, so the bind fails and nothing listens.
    result = subprocess.run([sys.executable, str(ROOT / "cli.py"), "local", "start", "--host", "192.0.2.1",
                             "--port", "0"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "WARNING: listening on 192.0.2.1, not loopback" in result.stderr
    assert result.returncode != 0 and "Cannot listen on 192.0.2.1" in result.stderr
