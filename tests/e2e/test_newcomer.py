"""A newcomer's first hour, on the emulator: request (the path checked first, a token reused, the status line),
the functions' logs by the names a user knows, explain's one-line trigger failure, deploy's quiet output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Cli, Project
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
