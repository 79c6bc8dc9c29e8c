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
    """Every command's path, through click's own listing (the group loads its commands lazily)."""
    found = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
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


def _examples_as_written(command: click.Command) -> list[str]:
    """The lines under the docstring's "Example(s):" heading, as the source writes them."""
    import inspect

    doc = inspect.cleandoc(command.callback.__doc__ or "")  # type: ignore[union-attr]
    tail = doc.split("Examples:\n", 1)[-1] if "Examples:\n" in doc else doc.split("Example:\n", 1)[-1]
    return [line.strip() for line in tail.splitlines() if line.strip()]


@pytest.mark.parametrize("path", commands(main))
def test_every_commands_help_shows_its_examples_exactly_as_written(path: tuple[str, ...]) -> None:
    command: click.Command = main
    for name in path:
        found = command.get_command(click.Context(command), name)  # type: ignore[attr-defined]
        assert found is not None
        command = found
    shown = [line.strip() for line in CliRunner().invoke(main, [*path, "-h"]).output.splitlines()]
    for example in _examples_as_written(command):
        assert example in shown, f"{' '.join(path)} --help shows {example!r} broken or re-wrapped"


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
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert " ".join(result.output.split()) == (
        f"Error: Nothing answers at http://127.0.0.1:{closed} (--endpoint-url or AWS_ENDPOINT_URL). "
        "Start the local emulator first: claimsctl local start")


def test_deploy_to_an_endpoint_that_is_not_running_names_the_endpoint_not_credentials(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forgetting to start the emulator is not a credentials problem (deploy asks STS for the account first)."""
    import json
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    inputs = {**json.loads((ROOT / "stackInputs.json").read_text()), "web": {"hosting": "none"}}
    (tmp_path / "stackInputs.json").write_text(json.dumps(inputs))
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = CliRunner().invoke(main, ["deploy", "--yes", "--inputs", str(tmp_path / "stackInputs.json"),
                                       "--endpoint-url", f"http://127.0.0.1:{closed}"])
    assert result.exit_code == 1
    assert f"Nothing answers at http://127.0.0.1:{closed}" in result.output
    assert "claimsctl local start" in result.output and "credentials" not in result.output


def test_commands_are_loaded_only_when_used() -> None:
    """`claimsctl render -h` imports render's module alone, not every command's (click's lazy loading)."""
    script = ("import sys; from cli import main\n"
              "try:\n    main(['render', '-h'])\nexcept SystemExit:\n    pass\n"
              "print(sorted(m for m in sys.modules if m.startswith('claimsctl.commands.')))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True,
                            cwd=ROOT)
    assert result.stdout.strip().splitlines()[-1] == "['claimsctl.commands.common', 'claimsctl.commands.stack']"


def test_the_groups_help_imports_no_command_and_lists_each_as_its_own_help_does() -> None:
    """`claimsctl --help` lists every command from cli.SUMMARIES (no command module imported), and each summary is
    the first paragraph of that command's own help, so the listing is what click would print from the command
    (a command without a summary is listed too: its module is imported for it)."""
    from claimsctl import cli

    script = ("import sys; from cli import main\n"
              "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
              "print(sorted(m for m in sys.modules if m.startswith('claimsctl.commands.')))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True,
                            cwd=ROOT)
    unsummarised = sorted({f"claimsctl.commands.{cli.COMMANDS[name].split(':')[0].rsplit('.', 1)[1]}"
                           for name in set(cli.COMMANDS) - set(cli.SUMMARIES)})
    assert result.stdout.strip().splitlines()[-1] in (str(unsummarised), str(sorted({*unsummarised,
                                                                                       "claimsctl.commands.common"})))
    assert all(f"  {name} " in result.stdout for name in cli.COMMANDS)
    context = click.Context(main)
    for name in cli.SUMMARIES:
        command = main.get_command(context, name)
        assert command is not None
        first_paragraph = " ".join((command.help or "").split("\n\n")[0].split())
        assert cli.SUMMARIES.get(name) == first_paragraph, f"cli.SUMMARIES[{name!r}] should be {first_paragraph!r}"


def test_every_command_module_command_is_in_the_lazy_table() -> None:
    """A command written in claimsctl/commands/ but missing from cli.COMMANDS would never be reachable."""
    import importlib
    import pkgutil

    import claimsctl.commands
    from claimsctl import cli

    defined = set()
    nested = set()
    for info in pkgutil.iter_modules(claimsctl.commands.__path__):
        module = importlib.import_module(f"claimsctl.commands.{info.name}")
        for attribute, value in vars(module).items():
            if isinstance(value, click.Command) and getattr(value.callback, "__module__", None) == module.__name__:
                defined.add(f"{module.__name__}:{attribute}")
                if isinstance(value, click.Group):
                    nested |= {f"{module.__name__}:{c.callback.__name__}" for c in value.commands.values() if c.callback}
    assert defined - nested == set(cli.COMMANDS.values())
