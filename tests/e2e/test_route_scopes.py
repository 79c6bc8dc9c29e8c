"""A route that names its own machine scope (issue 29, the last piece), as a user meets it on day two: a stack
made by `claimsctl init --with-source`, with a user and a machine client that hold items.read and items.write,
gains `GET /projects/{projectId}` with `"scope": "reports.read"`. After the deploy, the resource server has the
scope, add-client grants it (and lists it when asked for a wrong one), a client holding it is served by both
designs, the existing client (items.read, items.write) is refused as each design refuses a missing scope
(optimized: 403, its policy lacks the route; standard: 401, the Cognito authorizer finds none of the method's
AuthorizationScopes), people are served as before, and `routes` and `explain --client` say which scope it is;
add-client --scopes then grants the existing client the new scope (its other settings kept).
On day three the route names no scope any more: the resource server drops it and the old client is served."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.test_api_updates import DESIGNS, PASSWORD, call, machine_token, source_project, user_token  # noqa: F401

pytestmark = pytest.mark.slow
SCOPED = {"method": "GET", "path": "/projects/{projectId}", "handler": "project_info.get", "scope": "reports.read"}
HANDLER = """def get(request):
    return {"projectId": request.params["projectId"], "principal": request.principal}
"""
VIEWER = '"viewer": [("GET", "/projects/{id}/items")],'
RULE = '"viewer": [("GET", "/projects/{id}/items"), ("GET", "/projects/{id}")],'


def add_client(cli: Any, folder: Path, name: str, *scopes: str) -> Any:
    return cli("add-client", name, "--projects", "p1", *(("--scopes", ",".join(scopes)) if scopes else ()),
               "--secret-out", str(folder / f"{name}.json"))


def declare_the_scoped_route(folder: Path) -> None:
    inputs = json.loads((folder / "stackInputs.json").read_text())
    (folder / "stackInputs.json").write_text(json.dumps({**inputs, "routes": [*inputs["routes"], SCOPED]}))
    (folder / "lambda_src" / "project_info.py").write_text(HANDLER)
    claims = folder / "lambda_src" / "claims.py"
    assert VIEWER in claims.read_text()
    claims.write_text(claims.read_text().replace(VIEWER, RULE))


def test_a_route_with_its_own_scope_added_on_day_two(source_project: Any, clients: Any) -> None:  # noqa: F811
    cli, folder = source_project
    inputs = json.loads((folder / "stackInputs.json").read_text())
    (folder / "stackInputs.json").write_text(json.dumps({**inputs, "triggerVersion": "V3_0"}))
    deployed = cli("deploy", "--yes", "--output", "json")
    assert deployed.exit_code == 0, deployed.output
    outputs = json.loads(deployed.stdout)["outputs"]
    added = cli("add-user", "--username", "vera", "--email", "vera@example.com", "--projects", "p1",
                "--password-stdin", "--seed-items", "1", stdin=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert add_client(cli, folder, "old-bot").exit_code == 0  # items.read and items.write, as before
    refused = add_client(cli, folder, "early-bot", "reports.read")
    assert refused.exit_code == 1 and "claimsctl deploy" in refused.output and not (folder / "early-bot.json").exists()

    declare_the_scoped_route(folder)
    listed = json.loads(cli("routes", "--output", "json").stdout)
    assert {(r["method"], r["path"]): r["scope"] for r in listed} == {
        ("GET", "/projects/{projectId}"): "reports.read", ("GET", "/projects/{projectId}/items"): "items.read",
        ("POST", "/projects/{projectId}/items"): "items.write",
        ("DELETE", "/projects/{projectId}/items/{itemId}"): "items.write"}
    updated = cli("deploy", "--yes", "--output", "json")
    assert updated.exit_code == 0, updated.output
    outputs = json.loads(updated.stdout)["outputs"]
    server = clients("cognito-idp").describe_resource_server(UserPoolId=outputs["UserPoolId"],
                                                             Identifier=f"{inputs['stackName']}-api")
    assert [s["ScopeName"] for s in server["ResourceServer"]["Scopes"]] == ["items.read", "items.write", "reports.read"]

    wrong = add_client(cli, folder, "typo-bot", "report.read")
    assert wrong.exit_code == 1 and "reports.read" in wrong.output and "items.read" in wrong.output
    assert add_client(cli, folder, "report-bot", "reports.read").exit_code == 0
    reporter, old = machine_token(folder / "report-bot.json"), machine_token(folder / "old-bot.json")
    person = user_token(clients, outputs, "vera")
    for design in DESIGNS:
        served = call(outputs, reporter, "GET", design + "/projects/p1")
        assert served.status_code == 200 and served.json()["projectId"] == "p1", design
        assert call(outputs, reporter, "GET", design + "/projects/p2").status_code == 403, design  # routes_for
        assert call(outputs, person, "GET", design + "/projects/p1").status_code == 200, design
        assert call(outputs, old, "GET", design + "/projects/p1/items").status_code == 200, design
    assert call(outputs, old, "GET", "/projects/p1").status_code == 403  # the authorizer's policy lacks it
    assert call(outputs, old, "GET", "/standard/projects/p1").status_code == 401  # Cognito's: no method scope
    assert call(outputs, reporter, "GET", "/projects/p1/items").status_code == 403
    assert call(outputs, reporter, "GET", "/standard/projects/p1/items").status_code == 401

    explained = cli("explain", "--client", "old-bot", "--request", "GET /projects/p1", "--output", "json")
    found = json.loads(explained.stdout)
    assert found["decision"] == "deny" and found["missing_scope"] == f"{inputs['stackName']}-api/reports.read"
    text = cli("explain", "--client", "old-bot", "--request", "GET /projects/p1")
    assert "lacks the scope" in text.output and "reports.read" in text.output
    allowed = json.loads(cli("explain", "--client", "report-bot", "--request", "GET /projects/p1",
                             "--output", "json").stdout)
    assert allowed["decision"] == "allow" and "missing_scope" not in allowed

    granted = cli("add-client", "old-bot", "--scopes", "items.read,reports.read", "--secret-out",
                  str(folder / "old-bot.json"), "--force")
    assert granted.exit_code == 0 and "scopes:" in granted.output, granted.output
    described = clients("cognito-idp").describe_user_pool_client(
        UserPoolId=outputs["UserPoolId"], ClientId=json.loads((folder / "old-bot.json").read_text())["client_id"])
    client = described["UserPoolClient"]
    assert client["AllowedOAuthFlows"] == ["client_credentials"] and client["AccessTokenValidity"] == 60
    assert sorted(client["AllowedOAuthScopes"]) == [f"{inputs['stackName']}-api/items.read",
                                                    f"{inputs['stackName']}-api/reports.read"]
    old = machine_token(folder / "old-bot.json")
    for design in DESIGNS:
        assert call(outputs, old, "GET", design + "/projects/p1").status_code == 200, design
        assert call(outputs, old, "GET", design + "/projects/p1/items").status_code == 200, design

    # Day three: the route no longer names a scope. The resource server drops it (the clients keep it in their
    # AllowedOAuthScopes, tokens never carry it); the route needs items.read again.
    inputs = json.loads((folder / "stackInputs.json").read_text())
    inputs["routes"] = [{k: v for k, v in r.items() if k != "scope"} for r in inputs["routes"]]
    (folder / "stackInputs.json").write_text(json.dumps(inputs))
    again = cli("deploy", "--yes", "--output", "json")
    assert again.exit_code == 0, again.output
    server = clients("cognito-idp").describe_resource_server(UserPoolId=outputs["UserPoolId"],
                                                             Identifier=f"{inputs['stackName']}-api")
    assert [s["ScopeName"] for s in server["ResourceServer"]["Scopes"]] == ["items.read", "items.write"]
    old = machine_token(folder / "old-bot.json")
    for design in DESIGNS:
        assert call(outputs, old, "GET", design + "/projects/p1").status_code == 200, design
    found = json.loads((folder / "report-bot.json").read_text())
    answer = requests.post(found["token_url"], auth=(found["client_id"], found["client_secret"]),
                           data={"grant_type": "client_credentials", "scope": found["scope"]}, timeout=30)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_scope"
