"""The API that consumes the claim, over HTTP on the emulator: both designs, caching, and the claim as a snapshot."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from claimsctl.local.apigateway import execute
from tests.conftest import Cli, Project

PASSWORD = "Api-Passw0rd!x"
OPTIMIZED = "projects/{}/items"
STANDARD = "standard/projects/{}/items"


@dataclass
class Api:
    url: str
    outputs: dict[str, str]
    idp: Any

    def token(self, username: str, kind: str | None = None) -> str:
        result = self.idp.initiate_auth(ClientId=self.outputs["UserPoolClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})["AuthenticationResult"]
        use = kind or self.outputs["ApiTokenUse"]
        return str(result["IdToken"] if use == "id" else result["AccessToken"])

    def get(self, route: str, project: str, token: str | None) -> requests.Response:
        headers = {"Authorization": token} if token is not None else {}
        return requests.get(f"{self.url}/{route.format(project)}", headers=headers, timeout=30)


def deploy_api(cli: Cli, project: Project, clients: Any, version: str = "V1_0") -> Api:
    project.write(triggerVersion=version, api="both")
    result = cli("deploy", "--yes", "--output", "json")
    assert result.exit_code == 0, result.output
    for name, projects in (("alice", "p1,p2"), ("bob", "p3")):
        added = cli("add-user", "--username", name, "--email", f"{name}@example.com", "--projects", projects,
                    "--password-stdin", "--seed-items", "2", input=PASSWORD + "\n")
        assert added.exit_code == 0, added.output
    outputs = json.loads(result.stdout)["outputs"]
    return Api(outputs["ApiUrl"], outputs, clients("cognito-idp"))


@pytest.fixture
def api(cli: Cli, project: Project, clients: Any) -> Any:
    yield deploy_api(cli, project, clients)
    cli("teardown", "--yes")


@pytest.mark.parametrize("route", [OPTIMIZED, STANDARD])
def test_each_design_authorizes_by_project(api: Api, route: str) -> None:
    token = api.token("alice")
    assert api.get(route, "p1", None).status_code == 401
    assert api.get(route, "p1", "not-a-token").status_code == 401
    forged = token[: token.rindex(".") + 1] + "c2lnbmF0dXJl"
    assert api.get(route, "p1", forged).status_code == 401
    own = api.get(route, "p1", token)
    assert own.status_code == 200
    assert own.json() == {"projectId": "p1", "items": [
        {"projectId": "p1", "itemId": "item-001", "title": "p1 work item 1"},
        {"projectId": "p1", "itemId": "item-002", "title": "p1 work item 2"}]}
    assert api.get(route, "p3", token).status_code == 403
    assert api.get(route, "p3", api.token("bob")).status_code == 200


def test_bearer_prefix_is_accepted_by_the_claims_authorizer(api: Api) -> None:
    assert api.get(OPTIMIZED, "p2", "Bearer " + api.token("alice")).status_code == 200


def test_a_cached_policy_is_right_for_every_route(api: Api) -> None:
    token = api.token("alice")
    before = execute.stats().get("authorizer_invocations", 0)
    assert api.get(OPTIMIZED, "p1", token).status_code == 200
    assert api.get(OPTIMIZED, "p3", token).status_code == 403  # cached: still not alice's
    assert api.get(OPTIMIZED, "p2", token).status_code == 200
    assert api.get(OPTIMIZED, "p1", token).status_code == 200  # cached: still alice's
    assert execute.stats().get("authorizer_invocations", 0) - before == 1


def test_the_claim_is_a_snapshot_until_the_next_sign_in(api: Api, cli: Cli) -> None:
    old_token = api.token("alice")
    assert api.get(OPTIMIZED, "p3", old_token).status_code == 403
    granted = cli("add-user", "--username", "alice", "--projects", "p1,p2,p3")
    assert granted.exit_code == 0
    assert api.get(OPTIMIZED, "p3", old_token).status_code == 403  # the token still says p1,p2
    assert api.get(STANDARD, "p3", old_token).status_code == 200  # the standard design asks DynamoDB every time
    assert api.get(OPTIMIZED, "p3", api.token("alice")).status_code == 200  # signed in again: the new claim


def test_v2_api_takes_the_access_token(cli: Cli, project: Project, clients: Any) -> None:
    api = deploy_api(cli, project, clients, "V2_0")
    try:
        assert api.outputs["ApiTokenUse"] == "access"
        assert api.get(OPTIMIZED, "p1", api.token("alice", "access")).status_code == 200
        assert api.get(OPTIMIZED, "p1", api.token("alice", "id")).status_code == 401
        # The standard route declares scopes when the API takes access tokens (a Cognito authorizer
        # without scopes takes ID tokens only, on AWS as here).
        assert api.get(STANDARD, "p1", api.token("alice", "access")).status_code == 200
        assert cli("request", "GET", "/standard/projects/p1/items", "--user", "alice", "--password-stdin",
                   input=PASSWORD + "\n").exit_code == 0
    finally:
        cli("teardown", "--yes")


def test_a_cognito_authorizer_without_scopes_refuses_access_tokens(api: Api) -> None:
    assert api.outputs["ApiTokenUse"] == "id"
    assert api.get(STANDARD, "p1", api.token("alice", "id")).status_code == 200
    assert api.get(STANDARD, "p1", api.token("alice", "access")).status_code == 401


def test_claimsctl_request_prints_status_and_body(api: Api, cli: Cli) -> None:
    ok = cli("request", "GET", "/projects/p2/items", "--user", "alice", "--password-stdin", input=PASSWORD + "\n")
    assert ok.exit_code == 0, ok.output
    assert "HTTP 200" in ok.output and '"projectId": "p2"' in ok.output
    denied = cli("request", "GET", "/projects/p3/items", "--user", "alice", "--password-stdin", input=PASSWORD + "\n")
    assert denied.exit_code == 1
    assert "HTTP 403" in denied.output
    assert PASSWORD not in ok.output + denied.output


def test_too_many_projects_never_make_a_token_the_api_cannot_take(api: Api, cli: Cli) -> None:
    many = ",".join(f"project-{number:04d}" for number in range(2000))
    added = cli("add-user", "--username", "hoarder", "--email", "h@example.com", "--projects", many, "--password-stdin",
                input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    token = api.token("hoarder")
    assert len(token) < 4000  # the claim did not fit: the token carries the lookup marker instead
    for route in (OPTIMIZED, STANDARD):
        assert api.get(route, "project-0001", token).status_code == 200  # both designs read the row
        assert api.get(route, "project-2000", token).status_code == 403


def test_oversized_headers_are_refused_like_api_gateway(api: Api) -> None:
    response = requests.get(f"{api.url}/projects/p1/items", headers={"Authorization": "x" * 11_000}, timeout=30)
    assert response.status_code == 413 and response.headers["x-amzn-ErrorType"] == "RequestTooLargeException"


def test_request_without_an_api_is_a_state_error(cli: Cli, project: Project) -> None:
    project.write(api="none")
    assert cli("deploy", "--yes").exit_code == 0
    try:
        result = cli("request", "GET", "/projects/p1/items", "--user", "x", "--password-stdin", input="pw\n")
        assert result.exit_code == 1 and "The stack has no API" in result.output
    finally:
        cli("teardown", "--yes")
