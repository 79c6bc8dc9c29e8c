"""Ctrl-C during deploy: the command stops with a clear message, and the next deploy recovers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, Cli, Project


def start_deploy(project: Project, endpoint: str) -> subprocess.Popen[str]:
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint}
    return subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "deploy", "--yes", "--inputs", str(project.inputs_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def interrupt_after(process: subprocess.Popen[str], marker: str, timeout: float = 60) -> str:
    assert process.stdout is not None
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if marker in line:
            process.send_signal(signal.SIGINT)
            break
    rest, _ = process.communicate(timeout=60)
    return "".join(seen) + rest


@pytest.mark.parametrize("marker", ["Deploying stack", "created   UsersTable"])
def test_interrupted_deploy_then_deploy_again(cli: Cli, project: Project, endpoint: str, marker: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMSCTL_EMULATOR_STEP_DELAY", "0.3")
    process = start_deploy(project, endpoint)
    output = interrupt_after(process, marker)
    assert process.returncode == 130, output
    assert "Interrupted." in output
    monkeypatch.setenv("CLAIMSCTL_EMULATOR_STEP_DELAY", "0")
    again = cli("deploy", "--yes", "--output", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["status"] in ("created", "up-to-date")
    assert cli("status", "--output", "json").stdout and json.loads(cli("status", "--output", "json").stdout)["status"] in (
        "CREATE_COMPLETE", "UPDATE_COMPLETE")
    assert cli("teardown", "--yes").exit_code == 0
