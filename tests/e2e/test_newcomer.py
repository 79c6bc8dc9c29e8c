"""A newcomer's first hour, on the emulator: request (the path checked first, a token reused, the status line),
the functions' logs by the names a user knows, explain's one-line trigger failure, deploy's quiet output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import Cli, Project, unique
from tests.e2e.test_api import PASSWORD, Api, deploy_api


@pytest.fixture
def api(cli: Cli, project: Project, clients: Any) -> Iterator[Api]:
    yield deploy_api(cli, project, clients)
    cli("teardown", "--yes")


def test_request_checks_the_path_before_asking_for_a_password(cli: Cli) -> None:
    result = cli("request", "GET", "/projects/my project/items", "--user", "alice")
    assert result.exit_code == 1
    assert "Password" not in result.output and "InvalidURL" not in result.output and "Traceback" not in result.output
    assert result.output.strip() == ("Error: The path '/projects/my project/items' is not a URL path: it must start "
                                     "with / and hold no space or control character (write a space as %20), e.g. "
                                     "/projects/p1/items.")


def test_request_takes_one_way_to_get_a_token(cli: Cli) -> None:
    result = cli("request", "GET", "/projects/p1/items", "--user", "alice", "--token", "x")
    assert result.exit_code == 2 and "Name a --user, a --client with its --secret-file, or a --token." in result.output


def test_request_prints_the_status_line_then_the_body_and_reuses_a_token(api: Api, cli: Cli) -> None:
    answered = cli("request", "GET", "/projects/p1/items", "--user", "alice", "--password-stdin",
                   input=PASSWORD + "\n")
    assert answered.exit_code == 0, answered.output
    assert answered.stderr.strip() == "HTTP 200  GET /projects/p1/items"
    assert json.loads(answered.stdout)["projectId"] == "p1"
    token = api.token("alice")
    reused = cli("request", "GET", "/projects/p2/items", "--token", "-", input=token + "\n")
    assert reused.exit_code == 0 and reused.stderr.strip() == "HTTP 200  GET /projects/p2/items"
    assert "Password" not in reused.output and token not in reused.output
    refused = cli("request", "GET", "/projects/p3/items", "--token", token)
    assert refused.exit_code == 1 and refused.stderr.strip() == "HTTP 403  GET /projects/p3/items"


def test_deploy_without_a_terminal_prints_a_line_per_finished_resource_then_the_summary(cli: Cli,
                                                                                         project: Project) -> None:
    project.write(api="none")
    try:
        result = cli("deploy", "--yes")
        assert result.exit_code == 0, result.output
        lines = result.stderr.strip().splitlines()
        progress = [line for line in lines if line.startswith("  ")]
        assert progress and all(line.split()[0] == "created" for line in progress)
        assert "IN_PROGRESS" not in result.stderr and "AWS::CloudFormation::Stack" not in result.stderr
        assert lines[-2] == f"Stack created: {len(progress)} resource(s) created."
        assert "UserPoolId" in result.stdout  # the outputs table
        again = cli("deploy", "--yes", "--quiet")
        assert again.exit_code == 0 and again.stdout == ""
        assert again.stderr.splitlines()[0] == "Stack is up to date: no changes."
        project.write(api="optimized")
        updated = cli("deploy", "--yes", "--quiet")
        assert updated.exit_code == 0, updated.output
        summary, written = updated.stderr.strip().splitlines()
        assert summary.startswith("Stack updated: ") and " resource(s) created" in summary
        assert written.startswith("Web demo configuration written to ")
    finally:
        cli("teardown", "--yes")


def test_deploy_on_a_terminal_shows_a_live_table_of_the_resources(cli: Cli, project: Project,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich: a terminal, whatever stderr is
    monkeypatch.setenv("TTY_INTERACTIVE", "1")
    project.write(api="none")
    try:
        result = cli("deploy", "--yes")
        assert result.exit_code == 0, result.output
        assert "Resource" in result.stderr and "Status" in result.stderr and "CREATE_COMPLETE" in result.stderr
        assert "Stack created: " in result.stderr.rsplit("CREATE_COMPLETE", 1)[1]  # the summary ends it
    finally:
        cli("teardown", "--yes")


@pytest.fixture
def own_project(tmp_path: Path, endpoint: str) -> Iterator[tuple[Any, Path]]:
    """A project made by `claimsctl init --with-source`, named uniquely, without the web app; torn down after."""
    runner = CliRunner()
    folder = tmp_path / "app"

    def cli(*args: str, stdin: str | None = None) -> Any:
        return runner.invoke(main, [*args, "--inputs", str(folder / "stackInputs.json")], input=stdin)

    assert runner.invoke(main, ["init", str(folder), "--with-source"]).exit_code == 0
    name = unique("nc")
    inputs = {**json.loads((folder / "stackInputs.json").read_text()), "stackName": name,
              "userPoolName": f"{name}-users", "userPoolDomainName": name, "usersTableName": f"{name}-users",
              "userPasswordAuth": True, "web": {"hosting": "none"}}
    (folder / "stackInputs.json").write_text(json.dumps(inputs))
    yield cli, folder
    cli("teardown", "--yes")


def test_a_failing_trigger_is_one_line_in_explain_and_login_and_its_logs_say_why(own_project: Any) -> None:
    cli, folder = own_project
    claims_file = folder / "lambda_src" / "claims.py"
    claims_file.write_text(claims_file.read_text().replace(
        "def claims_for(principal: str, row: dict[str, Any] | None) -> dict[str, Any]:\n",
        "def claims_for(principal: str, row: dict[str, Any] | None) -> dict[str, Any]:\n"
        "    raise ValueError(\"no claims for \" + principal)\n", 1))
    assert "no claims for" in claims_file.read_text()
    assert cli("deploy", "--yes", "--quiet").exit_code == 0
    assert cli("add-user", "--username", "ann", "--email", "ann@example.com", "--projects", "p1",
               "--password-stdin", stdin=PASSWORD + "\n").exit_code == 0
    explained = cli("explain", "ann")
    assert explained.exit_code == 1 and "Traceback" not in explained.output and "b'" not in explained.output
    assert len(explained.output.strip().splitlines()) == 1
    assert "failed (ValueError: no claims for ann); its logs: claimsctl logs trigger" in explained.output
    login = cli("login", "ann", "--password-stdin", stdin=PASSWORD + "\n")
    assert login.exit_code == 1 and len(login.output.strip().splitlines()) == 1
    assert "its logs: claimsctl logs trigger" in login.output
    logged = cli("logs", "trigger", "--since", "5m")
    assert logged.exit_code == 0, logged.output
    assert "ValueError: no claims for ann" in logged.output
    assert all(line.split()[2] == "trigger" for line in logged.output.splitlines())
    assert cli("logs", "teleporter").output.strip() == (
        f"Error: Stack {json.loads((folder / 'stackInputs.json').read_text())['stackName']} has no function "
        "named 'teleporter'; choose one of: authorizer, check-user-access, items, standard-items, trigger.")


def test_logs_follow_prints_new_lines_until_ctrl_c_and_never_a_token(deployed: Any, project: Project, cli: Cli,
                                                                     clients: Any, endpoint: str) -> None:
    import os
    import selectors
    import signal
    import subprocess
    import sys
    import time

    outputs = deployed(api="none")
    assert cli("add-user", "--username", "ann", "--email", "ann@example.com", "--projects", "p1",
               "--password-stdin", input=PASSWORD + "\n").exit_code == 0
    following = subprocess.Popen(
        [sys.executable, "-m", "claimsctl", "logs", "trigger", "--follow", "--inputs", str(project.inputs_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0, env={**os.environ, "AWS_ENDPOINT_URL": endpoint})
    try:
        token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJlLW9mLWEtdG9rZW4"
        group = f"/aws/lambda/{outputs['TriggerFunctionName']}"
        clients("logs").create_log_stream(logGroupName=group, logStreamName="by-hand")
        clients("logs").put_log_events(logGroupName=group, logStreamName="by-hand", logEvents=[
            {"timestamp": int(time.time() * 1000), "message": f"a handler that logs {token} by mistake"}])
        assert cli("login", "ann", "--password-stdin", input=PASSWORD + "\n").exit_code == 0  # runs the trigger
        seen, watch = "", selectors.DefaultSelector()
        assert following.stdout is not None
        watch.register(following.stdout, selectors.EVENT_READ)
        for _ in range(300):  # bounded: each wait is at most 0.2 s
            if "REPORT RequestId" in seen and "by mistake" in seen:
                break
            if watch.select(timeout=0.2):
                seen += os.read(following.stdout.fileno(), 65536).decode()
        assert "START RequestId" in seen and "REPORT RequestId" in seen
        assert "a handler that logs [token redacted] by mistake" in seen and token not in seen
        following.send_signal(signal.SIGINT)
        _, errors = following.communicate(timeout=30)
        assert following.returncode == 0 and b"Traceback" not in errors
    finally:
        if following.poll() is None:
            following.kill()
            following.wait()


def test_the_readme_quick_start_sample_is_what_request_prints(cli: Cli, project: Project, clients: Any) -> None:
    """The lines of the README's `make demo` sample from "HTTP 200" on, as scripts/demo.sh makes them."""
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    block = readme.split("`make demo` shows the decoded", 1)[1].split("```\n", 2)[1]
    sample = block[block.index("HTTP 200"):].strip().splitlines()
    project.write(api="optimized")
    try:
        assert cli("deploy", "--yes", "--quiet").exit_code == 0
        assert cli("add-user", "--username", "demo", "--email", "demo@example.com", "--projects",
                   "project-alpha,project-beta", "--seed-items", "2", "--password-stdin",
                   input=PASSWORD + "\n").exit_code == 0
        outputs = json.loads(cli("status", "--output", "json").stdout)["outputs"]
        token = Api(outputs["ApiUrl"], outputs, clients("cognito-idp")).token("demo")
        printed = []
        for path in ("/projects/project-alpha/items", "/projects/project-gamma/items"):
            answered = cli("request", "GET", path, "--token", "-", input=token)
            printed += [*answered.stderr.strip().splitlines(), *answered.stdout.strip().splitlines()]
        assert printed == sample
    finally:
        cli("teardown", "--yes")
