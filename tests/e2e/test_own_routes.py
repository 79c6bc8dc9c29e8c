"""Your own API (issue 29), as a user meets it: a project made by `claimsctl init --with-source` from the
installed wheel gains one route entry, one handler and the rule in claims.py, each pasted from docs/api.md's
"Add a route"; both designs serve it to those routes_for allows and refuse it to others, answer (201, body) as
the handler returns it, and 500 without the exception's text when it raises; explain agrees, and knows a
request no route serves; a route whose handler is missing is refused before anything is deployed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from tests.conftest import ROOT, unique
from tests.e2e.test_installed_wheel import installed, run, wheel  # noqa: F401 - the fixtures

pytestmark = pytest.mark.slow
PASSWORD = "Routes-Passw0rd!x"
DOC = (ROOT / "docs" / "api.md").read_text()
STEPS = DOC.split("## Add a route", 1)[1].split("## How routes map", 1)[0]
ROUTE, HANDLER, RULE = (json.loads(block) if kind == "json" else block
                        for kind, block in re.findall(r"```(json|python)\n(.*?)```", STEPS, re.S))
DESIGNS = ("", "/standard")


@pytest.fixture
def app(installed: Path, tmp_path: Path, endpoint: str) -> Iterator[tuple[Path, Any]]:  # noqa: F811
    assert run(installed, tmp_path, "init", "app", "--with-source").returncode == 0
    folder = tmp_path / "app"
    inputs = json.loads((folder / "stackInputs.json").read_text())
    name = unique("own")
    inputs.update(stackName=name, userPoolName=f"{name}-users", userPoolDomainName=name,
                  usersTableName=f"{name}-users", userPasswordAuth=True, triggerVersion="V2_0")

    def claimsctl(*args: str, stdin: str | None = None) -> Any:
        return run(installed, folder, *args, endpoint=endpoint, stdin=stdin)

    (folder / "stackInputs.json").write_text(json.dumps(inputs))
    yield folder, claimsctl
    claimsctl("teardown", "--yes")


def follow_the_doc(folder: Path) -> None:
    inputs = json.loads((folder / "stackInputs.json").read_text())
    inputs["routes"].append(ROUTE)
    (folder / "stackInputs.json").write_text(json.dumps(inputs))
    (folder / "lambda_src" / "reports.py").write_text(HANDLER)
    claims = folder / "lambda_src" / "claims.py"
    editor = next(line for line in claims.read_text().splitlines() if line.strip().startswith('"editor":'))
    claims.write_text(claims.read_text().replace(editor, RULE.rstrip("\n")))


def token(endpoint: str, outputs: dict[str, str], name: str) -> str:
    idp = boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="t",
                       aws_secret_access_key="t")
    return str(idp.initiate_auth(ClientId=outputs["UserPoolClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})[
        "AuthenticationResult"]["AccessToken"])


def post(outputs: dict[str, str], bearer: str, path: str, body: Any) -> requests.Response:
    return requests.post(outputs["ApiUrl"] + path, headers={"Authorization": bearer}, json=body, timeout=30)


def test_a_declared_route_served_by_both_designs_as_routes_for_decides(app: tuple[Path, Any], endpoint: str) -> None:
    folder, claimsctl = app
    follow_the_doc(folder)
    listed = claimsctl("routes", "--output", "json")
    assert listed.returncode == 0 and {"method": "POST", "path": "/projects/{projectId}/reports",
                                       "handler": "reports.create"}.items() <= json.loads(listed.stdout)[-1].items()
    deployed = claimsctl("deploy", "--yes", "--output", "json")
    assert deployed.returncode == 0, deployed.stderr
    outputs = json.loads(deployed.stdout)["outputs"]
    for name, projects in (("ed", "p1:editor"), ("vera", "p1")):
        added = claimsctl("add-user", "--username", name, "--email", f"{name}@example.com", "--projects", projects,
                          "--password-stdin", stdin=PASSWORD + "\n")
        assert added.returncode == 0, added.stderr
    ed, vera = token(endpoint, outputs, "ed"), token(endpoint, outputs, "vera")
    for design in DESIGNS:
        made = post(outputs, ed, design + "/projects/p1/reports", {"title": "Q3"})
        assert made.status_code == 201, (design, made.text)
        assert made.json() == {"projectId": "p1", "title": "Q3", "by": "ed"}
        assert post(outputs, vera, design + "/projects/p1/reports", {"title": "Q3"}).status_code == 403, design
        assert post(outputs, ed, design + "/projects/p2/reports", {"title": "Q3"}).status_code == 403, design
        failed = post(outputs, ed, design + "/projects/p1/reports", {"no": "title"})
        assert failed.status_code == 500 and failed.json() == {"message": "Internal server error"}, design
        assert "KeyError" not in failed.text and "title" not in failed.text
        shipped = requests.get(outputs["ApiUrl"] + design + "/projects/p1/items", headers={"Authorization": vera},
                               timeout=30)
        assert shipped.status_code == 200, design  # the shipped routes keep working

    def explain(name: str, request: str) -> dict[str, Any]:
        found = claimsctl("explain", name, "--request", request, "--output", "json")
        assert found.returncode == 0, found.stderr
        return json.loads(found.stdout)  # type: ignore[no-any-return]

    assert explain("ed", "POST /projects/p1/reports")["decision"] == "allow"
    assert explain("ed", "POST /standard/projects/p1/reports")["route"] == ROUTE
    assert explain("vera", "POST /projects/p1/reports")["decision"] == "deny"
    nowhere = explain("ed", "POST /projects/p1/report")
    assert nowhere["decision"] == "no-route"
    assert nowhere["closest_routes"][0] == ROUTE
    said = claimsctl("explain", "ed", "--request", "POST /projects/p1/report")
    assert said.returncode == 0 and "no-route" in said.stdout + said.stderr
    assert "POST /projects/{projectId}/reports" in said.stdout + said.stderr
    missing = requests.post(outputs["ApiUrl"] + "/projects/p1/report", headers={"Authorization": ed}, timeout=30)
    assert missing.status_code == 403 and missing.json() == {"message": "Missing Authentication Token"}


def test_a_route_whose_handler_is_missing_is_refused_before_deploying(app: tuple[Path, Any], endpoint: str) -> None:
    folder, claimsctl = app
    follow_the_doc(folder)
    inputs = json.loads((folder / "stackInputs.json").read_text())
    inputs["routes"].append({"method": "GET", "path": "/projects/{projectId}/reports", "handler": "reports.read"})
    inputs["routes"].append({"method": "GET", "path": "/budgets", "handler": "budgets.get"})
    (folder / "stackInputs.json").write_text(json.dumps(inputs))
    refused = claimsctl("deploy", "--yes")
    assert refused.returncode == 1
    assert "reports.read" in refused.stderr and "defines no function read" in refused.stderr
    assert "budgets.py does not exist" in refused.stderr and "Traceback" not in refused.stderr
    cfn = boto3.client("cloudformation", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="t",
                       aws_secret_access_key="t")
    assert not [s for s in cfn.list_stacks()["StackSummaries"] if s["StackName"] == inputs["stackName"]]
