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
