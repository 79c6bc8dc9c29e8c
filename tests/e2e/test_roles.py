"""Roles per project, end to end in both designs (the shipped lambda_src/claims.py): a viewer reads, an editor
also creates, an owner also deletes; one token, within the authorizer cache's TTL, in any order of methods."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
import requests

from claimsctl.local.apigateway import execute
from tests.conftest import Cli, Deployer

PASSWORD = "Roles-Passw0rd!x"
DESIGNS = ("", "/standard")
USERS = {"vera": "p1", "ed": "p1:editor", "olga": "p1:owner"}


@pytest.fixture(scope="function", params=["V1_0", "V2_0"])
def api(request: pytest.FixtureRequest, cli: Cli, deployed: Deployer, clients: Any) -> dict[str, Any]:
    outputs = deployed(triggerVersion=request.param, api="both")
    for name, projects in USERS.items():
        added = cli("add-user", "--username", name, "--email", f"{name}@example.com", "--projects", projects,
                    "--password-stdin", "--seed-items", "1", input=PASSWORD + "\n")
        assert added.exit_code == 0, added.output
    idp = clients("cognito-idp")

    def token(name: str) -> str:
        result = idp.initiate_auth(ClientId=outputs["UserPoolClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})["AuthenticationResult"]
        return str(result["IdToken"] if outputs["ApiTokenUse"] == "id" else result["AccessToken"])

    return {"url": outputs["ApiUrl"], "token": token}


def call(api: dict[str, Any], token: str, method: str, path: str, body: Any = None) -> requests.Response:
    return requests.request(method, api["url"] + path, headers={"Authorization": token},
                            json=body, timeout=30)


REQUESTS = {"GET": ("GET", "/projects/p1/items", None), "POST": ("POST", "/projects/p1/items", {"title": "new"}),
            "DELETE": ("DELETE", "/projects/p1/items/item-001", None)}
ALLOWED = {"vera": {"GET"}, "ed": {"GET", "POST"}, "olga": {"GET", "POST", "DELETE"}}
SUCCESS = {"GET": 200, "POST": 201, "DELETE": 204}


@pytest.mark.parametrize("design", DESIGNS)
def test_each_role_may_do_what_it_allows_and_no_more(api: dict[str, Any], design: str) -> None:
    for name, allowed in ALLOWED.items():
        token = api["token"](name)
        for kind in ("GET", "POST", "DELETE"):
            method, path, body = REQUESTS[kind]
            answer = call(api, token, method, design + path, body)
            assert answer.status_code == (SUCCESS[kind] if kind in allowed else 403), (name, kind, design, answer.text)
    created = call(api, api["token"]("ed"), "GET", design + "/projects/p1/items").json()["items"]
    assert any(item.get("title") == "new" for item in created)


def test_one_cached_token_is_right_for_every_method_in_any_order(api: dict[str, Any]) -> None:
    for order in itertools.permutations(("GET", "POST", "DELETE")):
        token = api["token"]("ed")  # a fresh token per order: its first request fills the cache
        before = execute.stats().get("authorizer_invocations", 0)
        for kind in order:
            method, path, body = REQUESTS[kind]
            expected = SUCCESS[kind] if kind in ALLOWED["ed"] else 403
            assert call(api, token, method, path, body).status_code == expected, (order, kind)
        assert execute.stats().get("authorizer_invocations", 0) == before + 1  # one decision served all three


def test_a_post_needs_a_json_title(api: dict[str, Any]) -> None:
    token = api["token"]("ed")
    for body in ({}, {"title": ""}, {"title": "x" * 201}, ["title"]):
        answer = call(api, token, "POST", "/projects/p1/items", body)
        assert answer.status_code == 400 and "title" in answer.json()["message"]


def test_request_data_and_list_users_show_roles(cli: Cli, api: dict[str, Any]) -> None:
    created = cli("request", "POST", "/projects/p1/items", "--user", "ed", "--data", '{"title": "from the CLI"}',
                  "--password-stdin", input=PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    assert json.loads(created.stdout)["title"] == "from the CLI"
    refused = cli("request", "POST", "/projects/p1/items", "--user", "vera", "--data", '{"title": "x"}',
                  "--password-stdin", input=PASSWORD + "\n")
    assert refused.exit_code == 1 and "HTTP 403" in refused.output
    bad = cli("request", "POST", "/projects/p1/items", "--user", "ed", "--data", "{not json")
    assert bad.exit_code == 1 and "--data is not JSON" in bad.output
    listed = {u["username"]: u["projects"] for u in json.loads(cli("list-users", "--output", "json").stdout)}
    assert listed == {"vera": ["p1"], "ed": ["p1:editor"], "olga": ["p1:owner"]}


@pytest.mark.parametrize("projects, problem", [
    ("p1:admin", "role 'admin' is not one of viewer, editor, owner"),
    ("p1:*", "role '*' is not one of viewer, editor, owner"),
    ("p*:owner", "Project id 'p*' is not valid"),
    ("p1:owner:x", "role 'owner:x' is not one of"),
    ("p1:owner,p1", "Project 'p1' is named more than once"),
])
def test_a_bad_role_is_refused_on_the_way_in_naming_it(cli: Cli, api: dict[str, Any], projects: str,
                                                       problem: str) -> None:
    refused = cli("add-user", "--username", "zed", "--email", "zed@example.com", "--projects", projects,
                  "--password-stdin", input=PASSWORD + "\n")
    assert refused.exit_code == 1 and problem in " ".join(refused.output.split())
    assert "zed" not in cli("list-users", "--output", "json").stdout  # nothing half made
