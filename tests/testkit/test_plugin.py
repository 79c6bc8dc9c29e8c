"""The test kit as its users run it: a project made by `claimsctl init`, its example test and tests of
their own (the staleness window with the clock, a machine client), run by pytest in a process of their own
(the plugin found through its pytest11 entry point), twice in a row, and with pytest-xdist's -n 2; and each
kind of bad input as one line."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.testkit.user_tests import MACHINES, ROTATION, STALENESS

pytestmark = pytest.mark.slow


def pytest_in(folder: Path, *args: str, python: str = sys.executable) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTEST_"))}
    return subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=900, check=False)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kit")
    made = subprocess.run([sys.executable, str(ROOT / "cli.py"), "init", "app"], cwd=folder, capture_output=True,
                          text=True, timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    project = folder / "app"
    (project / "tests" / "test_staleness.py").write_text(STALENESS)
    return project


def test_the_example_and_the_staleness_tests_pass_twice(scratch: Path) -> None:
    for _ in range(2):
        result = pytest_in(scratch)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
        assert "7 passed" in result.stdout


def test_a_short_lived_token_and_no_cache_narrow_the_window(scratch: Path, tmp_path: Path) -> None:
    project = tmp_path / "short"
    shutil.copytree(scratch, project)
    inputs = json.loads((project / "stackInputs.json").read_text())
    (project / "stackInputs.json").write_text(json.dumps({**inputs, "idTokenValidityMinutes": 5,
                                                          "authorizerCacheTtl": 0}))
    result = pytest_in(project, "tests/test_staleness.py")
    assert result.returncode == 0, result.stdout[-3000:]


def test_with_refresh_token_rotation_the_kit_refreshes_through_it(scratch: Path, tmp_path: Path) -> None:
    project = tmp_path / "rotation"
    shutil.copytree(scratch, project)
    inputs = json.loads((project / "stackInputs.json").read_text())
    (project / "stackInputs.json").write_text(json.dumps({
        **inputs, "refreshTokenRotation": {"enabled": True, "retryGracePeriodSeconds": 10}}))
    (project / "tests" / "test_rotation.py").write_text(ROTATION)
    result = pytest_in(project, "tests/test_staleness.py", "tests/test_rotation.py")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "4 passed" in result.stdout


def test_machine_clients_in_a_v3_project(scratch: Path, tmp_path: Path) -> None:
    project = tmp_path / "m2m"
    shutil.copytree(scratch, project)
    inputs = json.loads((project / "stackInputs.json").read_text())
    (project / "stackInputs.json").write_text(json.dumps({**inputs, "triggerVersion": "V3_0"}))
    (project / "tests" / "test_machines.py").write_text(MACHINES)
    result = pytest_in(project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "9 passed" in result.stdout


@pytest.mark.skipif(importlib.util.find_spec("xdist") is None, reason="pytest-xdist is installed by the dev extra")
def test_with_xdist_each_worker_has_its_own_stack(scratch: Path) -> None:
    result = pytest_in(scratch, "-n", "2")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "7 passed" in result.stdout


def _one_line(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode != 0
    assert message in result.stdout, result.stdout[-2000:]
    assert "Traceback" not in result.stdout


def test_bad_input_is_one_line(tmp_path: Path, scratch: Path) -> None:
    empty = tmp_path / "empty"
    (empty / "tests").mkdir(parents=True)
    shutil.copy2(scratch / "tests" / "test_claims.py", empty / "tests")
    _one_line(pytest_in(empty), "has no stackInputs.json: pass --claims-project DIR")
    broken = tmp_path / "broken"
    shutil.copytree(scratch, broken)
    (broken / "stackInputs.json").write_text(json.dumps({"stackName": "x"}))
    _one_line(pytest_in(broken), "stackInputs.json has 4 problem(s):")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        _one_line(pytest_in(scratch, "--claims-port", str(port)), "the emulator did not start: Cannot listen")
