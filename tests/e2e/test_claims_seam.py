"""The seam as a user meets it: a project made by `claimsctl init --with-source` changes only
lambda_src/claims.py (a `tenant` claim from a new row attribute, and a route that claim allows), deploys,
and sees the claim in login and explain, and the route allowed in both designs for the right user only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from cli import main
from tests.conftest import unique

PASSWORD = "Seam-Passw0rd!x"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "claims.md"
# The worked example of docs/claims.md, as a user pastes it at the end of lambda_src/claims.py.
TENANT_CLAIM = "\n\n" + DOCS.read_text().split("lambda_src/claims.py`:\n\n```python\n", 1)[1].split("```", 1)[0]


@pytest.fixture
def seam_project(tmp_path: Path, endpoint: str) -> Any:
    runner = CliRunner()

    def cli(*args: str, stdin: str | None = None) -> Any:
        return runner.invoke(main, [*args, "--inputs", str(tmp_path / "app" / "stackInputs.json")], input=stdin,
                             catch_exceptions=False)

    assert runner.invoke(main, ["init", str(tmp_path / "app"), "--with-source"]).exit_code == 0
    inputs_path = tmp_path / "app" / "stackInputs.json"
    name = unique("seam")
    inputs = {**json.loads(inputs_path.read_text()), "stackName": name, "userPoolName": f"{name}-users",
              "userPoolDomainName": name, "usersTableName": f"{name}-users", "userPasswordAuth": True,
              "triggerVersion": "V2_0", "api": "both"}
    inputs_path.write_text(json.dumps(inputs))
    claims_file = tmp_path / "app" / "lambda_src" / "claims.py"
    claims_file.write_text(claims_file.read_text() + TENANT_CLAIM)  # the one file changed
    yield cli, {**inputs, "__folder": str(tmp_path / "app")}
    cli("teardown", "--yes")


def test_a_claim_and_a_route_added_in_claims_py_alone(seam_project: Any, clients: Any) -> None:
    cli, inputs = seam_project
    deployed = cli("deploy", "--yes", "--output", "json")
    assert deployed.exit_code == 0, deployed.output
    outputs = json.loads(deployed.stdout)["outputs"]
    for name, tenant in (("ann", "acme"), ("bob", "globex")):
        added = cli("add-user", "--username", name, "--email", f"{name}@example.com", "--projects", "p1",
                    "--password-stdin", stdin=PASSWORD + "\n")
        assert added.exit_code == 0, added.output
        clients("dynamodb").update_item(TableName=inputs["usersTableName"], Key={"userName": {"S": name}},
                                        UpdateExpression="SET tenant = :t", ExpressionAttributeValues={
                                            ":t": {"S": tenant}})
    login = cli("login", "ann", "--password-stdin", "--output", "json", stdin=PASSWORD + "\n")
    assert login.exit_code == 0, login.output
    assert json.loads(login.stdout)["access_token"]["tenant"] == "acme"
    explained = json.loads(cli("explain", "ann", "--request", "GET /projects/board/items", "--output", "json").stdout)
    assert explained["claims"] == {"projects": ["p1"], "tenant": "acme"} and explained["decision"] == "allow"
    assert ["GET", "/projects/board/items"] in explained["routes"] and explained["lambda_src_differs"] is False
    denied = json.loads(cli("explain", "bob", "--request", "GET /projects/board/items", "--output", "json").stdout)
    assert denied["decision"] == "deny" and denied["claims"]["tenant"] == "globex"

    def token(user: str) -> str:
        result = clients("cognito-idp").initiate_auth(ClientId=outputs["UserPoolClientId"],
                                                      AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
                                                          "USERNAME": user, "PASSWORD": PASSWORD})
        return str(result["AuthenticationResult"]["AccessToken"])

    for design in ("", "/standard"):
        url = f"{outputs['ApiUrl']}{design}/projects/board/items"
        assert requests.get(url, headers={"Authorization": token("ann")}, timeout=30).status_code == 200, design
        assert requests.get(url, headers={"Authorization": token("bob")}, timeout=30).status_code == 403, design


def test_explain_says_when_lambda_src_differs_from_the_deployed_code(seam_project: Any) -> None:
    cli, inputs = seam_project
    assert cli("deploy", "--yes").exit_code == 0
    assert cli("add-user", "--username", "cy", "--email", "cy@example.com", "--projects", "p1:owner",
               "--password-stdin", stdin=PASSWORD + "\n").exit_code == 0
    same = json.loads(cli("explain", "cy", "--output", "json").stdout)
    assert same["lambda_src_differs"] is False and same["claims"] == {"projects": ["p1:owner"]}
    assert same["claim_bytes"] == len('"projects":["p1:owner"]') and same["budget"] == 5000
    claims_file = Path(inputs["__folder"]) / "lambda_src" / "claims.py"
    claims_file.write_text(claims_file.read_text() + "\n# edited after the deploy\n")
    changed = cli("explain", "cy", "--request", "DELETE /projects/p1/items/x1")
    assert changed.exit_code == 0 and "differs from the deployed code" in " ".join(changed.output.split())
    assert "allow (by DELETE /projects/p1/items/*)" in " ".join(changed.output.split())
    bad = cli("explain", "cy", "--request", "TELEPORT p1")
    assert bad.exit_code == 1 and 'is not "METHOD /path"' in bad.output
    missing = cli("explain", "nobody")
    assert missing.exit_code == 1 and "User nobody does not exist" in missing.output
