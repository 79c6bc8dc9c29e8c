"""The test kit's set-up errors as its users see them: each test's error shows the message once (no chained
"During handling of the above exception"), and a bad stackInputs.json names its path once."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.testkit.test_plugin import pytest_in


def test_a_bad_stack_inputs_file_is_reported_once_per_test_naming_its_path_once(tmp_path: Path) -> None:
    made = subprocess.run([sys.executable, str(ROOT / "cli.py"), "init", "app"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "app"
    inputs_path = project / "stackInputs.json"
    inputs_path.write_text(json.dumps({"stackName": "x"}))
    result = pytest_in(project)
    assert result.returncode != 0
    assert "During handling of the above exception" not in result.stdout and "Traceback" not in result.stdout
    errors = [line for line in result.stdout.splitlines() if line.startswith("claimsctl test kit:")]
    tests = result.stdout.count("ERROR at setup of ")
    assert tests >= 1 and len(errors) == tests  # once per test
    assert all(line == f"claimsctl test kit: {inputs_path} has 4 problem(s):" for line in errors)
    shutil.rmtree(project)
