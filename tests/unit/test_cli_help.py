"""Every command explains itself with an example; --version works; usage errors exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import ROOT


def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("path", commands(main))
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "-h"])
    assert result.exit_code == 0
    assert "Example" in result.output


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("claimsctl, version ")


def test_usage_errors_exit_2() -> None:
    assert CliRunner().invoke(main, ["deploy", "--output", "xml"]).exit_code == 2
    assert CliRunner().invoke(main, ["no-such-command"]).exit_code == 2


def test_python_dash_m_claimsctl_is_the_same_command() -> None:
    result = subprocess.run([sys.executable, "-m", "claimsctl", "--version"], capture_output=True, text=True,
                            timeout=60, check=False, cwd=ROOT)
    assert result.returncode == 0 and result.stdout.startswith("claimsctl, version")


def test_the_emulator_without_its_extra_gets_one_line() -> None:
    script = ("import sys; sys.modules['moto'] = None; sys.argv = ['claimsctl', 'local', 'start', '--port', '0']\n"
              "from cli import main; main()")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False,
                            cwd=ROOT)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "pip install 'claimsctl[local]'" in result.stderr


def test_aws_errors_cross_one_boundary_as_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unreachable endpoint and a missing stack are errors about state: one line each, exit 1, no traceback."""
    import json
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    inputs = json.loads((ROOT / "stackInputs.json").read_text())
    (tmp_path / "stackInputs.json").write_text(json.dumps(inputs))
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = CliRunner().invoke(main, ["status", "--inputs", str(tmp_path / "stackInputs.json"), "--endpoint-url",
                                       f"http://127.0.0.1:{closed}"])
    assert result.exit_code == 1 and "Is the endpoint running?" in result.output
    assert "Traceback" not in result.output
