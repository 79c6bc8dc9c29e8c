"""`claimsctl local start` as a user runs it: a process that prints its URL, serves, and stops on a signal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

from tests.conftest import ROOT


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


RESTART_SCRIPT = """
import json, sys, urllib.request
import boto3
from claimsctl.local.server import Emulator

def seen(url):
    idp = boto3.client("cognito-idp", endpoint_url=url, region_name="us-east-1", aws_access_key_id="t",
                       aws_secret_access_key="t")
    pools = [p["Name"] for p in idp.list_user_pools(MaxResults=10)["UserPools"]]
    stats = json.loads(urllib.request.urlopen(url + "/_claimsctl/stats", timeout=10).read())
    return pools, stats["requests_by_target"]

first = Emulator(port=0)
url = first.start()
boto3.client("cognito-idp", endpoint_url=url, region_name="us-east-1", aws_access_key_id="t",
             aws_secret_access_key="t").create_user_pool(PoolName="left-behind")
before = seen(url)
first.stop()
second = Emulator(port=0)
url = second.start()
after = seen(url)
second.stop()
print(json.dumps({"before": before, "after": after}))
"""


def test_an_emulator_started_after_another_stopped_begins_empty() -> None:
    """The emulator owns its state: pools, counters and caches of a stopped emulator are not the next one's."""
    result = subprocess.run([sys.executable, "-c", RESTART_SCRIPT], capture_output=True, text=True, cwd=ROOT,
                            timeout=120, check=True)
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["before"][0] == ["left-behind"]
    assert seen["before"][1]["AWSCognitoIdentityProviderService.CreateUserPool"] == 1
    assert seen["after"][0] == []
    assert seen["after"][1] == {"AWSCognitoIdentityProviderService.ListUserPools": 1}
