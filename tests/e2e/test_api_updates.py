"""Day two of the API (issue 27 items 2 and 6), through the CLI against the emulator: every update that changes
the API makes a new deployment and moves the prod stage to it (the preview says so), an update that does not
leaves the deployment alone, and after each update both designs answer people and machine clients as their
roles and scopes say. Standard write methods re-check a machine token's API scope, as the optimized design does."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests

from tests.conftest import ROOT, Cli, Deployer, Project
from tests.conftest import source_project as made_with_source

PASSWORD = "Update-Passw0rd!x"
DESIGNS = ("", "/standard")
USERS = {"vera": "p1", "olga": "p1:owner"}
MOVES = "prod stage moves to a new deployment"


def call(outputs: dict[str, str], token: str, method: str, path: str, body: Any = None) -> requests.Response:
    return requests.request(method, outputs["ApiUrl"] + path, headers={"Authorization": token}, json=body, timeout=30)


def user_token(clients: Any, outputs: dict[str, str], name: str) -> str:
    result = clients("cognito-idp").initiate_auth(
        ClientId=outputs["UserPoolClientId"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})["AuthenticationResult"]
    return str(result["IdToken"] if outputs["ApiTokenUse"] == "id" else result["AccessToken"])


def machine_token(secret_file: Path) -> str:
    """A client-credentials token, fetched as any OAuth 2.0 client would with the secret file's contents."""
    found = json.loads(secret_file.read_text())
    answer = requests.post(found["token_url"], auth=(found["client_id"], found["client_secret"]),
                           data={"grant_type": "client_credentials", "scope": found["scope"]}, timeout=30)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def statuses(outputs: dict[str, str], token: str, design: str) -> dict[str, int]:
    """What a caller gets for each of the three item routes of p1 (and a GET of p3, which nobody here has)."""
    created = call(outputs, token, "POST", design + "/projects/p1/items", {"title": "day two"})
    return {"GET": call(outputs, token, "GET", design + "/projects/p1/items").status_code,
            "POST": created.status_code,
            "DELETE": call(outputs, token, "DELETE", design + "/projects/p1/items/item-001").status_code,
            "other": call(outputs, token, "GET", design + "/projects/p3/items").status_code}


OWNER = {"GET": 200, "POST": 201, "DELETE": 204, "other": 403}
VIEWER = {"GET": 200, "POST": 403, "DELETE": 403, "other": 403}


def assert_people_served(clients: Any, outputs: dict[str, str]) -> None:
    for design in DESIGNS:
        assert statuses(outputs, user_token(clients, outputs, "olga"), design) == OWNER, design
        assert statuses(outputs, user_token(clients, outputs, "vera"), design) == VIEWER, design


def stage(clients: Any, project: Project) -> tuple[str, int]:
    """(the deployment the prod stage serves, how many deployments the API has)."""
    apigateway = clients("apigateway")
    [api_id] = [api["id"] for api in apigateway.get_rest_apis()["items"]
                if api["name"] == f"{project.inputs['stackName']}-api"]
    found = apigateway.get_stage(restApiId=api_id, stageName="prod")["deploymentId"]
    return str(found), len(apigateway.get_deployments(restApiId=api_id)["items"])


def update(cli: Cli, project: Project, **changes: Any) -> tuple[dict[str, str], str]:
    """Deploy these changes to the existing stack: (its outputs, what deploy printed)."""
    project.write(**changes)
    result = cli("deploy", "--yes", "--output", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["outputs"], result.output


@pytest.fixture
def people(cli: Cli, deployed: Deployer) -> dict[str, str]:
    outputs = deployed(triggerVersion="V1_0", api="both")
    for name, projects in USERS.items():
        added = cli("add-user", "--username", name, "--email", f"{name}@example.com", "--projects", projects,
                    "--password-stdin", "--seed-items", "1", input=PASSWORD + "\n")
        assert added.exit_code == 0, added.output
    return outputs


def test_an_in_place_switch_v1_v2_v3_keeps_both_designs_serving(cli: Cli, project: Project, people: dict[str, str],
                                                                clients: Any) -> None:
    assert_people_served(clients, people)
    first, _ = stage(clients, project)

    outputs, printed = update(cli, project, triggerVersion="V2_0")  # the standard methods gain scopes
    assert MOVES in printed
    second, _ = stage(clients, project)
    assert second != first
    assert_people_served(clients, outputs)

    outputs, printed = update(cli, project, triggerVersion="V3_0")  # the API is as it was for V2_0
    assert MOVES not in printed and stage(clients, project)[0] == second
    assert_people_served(clients, outputs)
    for name, role, scopes in (("owner-bot", "p1:owner", "items.read,items.write"), ("reader", "p1:owner", "items.read")):
        made = cli("add-client", name, "--projects", role, "--scopes", scopes,
                   "--secret-out", str(project.root / f"{name}.json"))
        assert made.exit_code == 0, made.output

    def machines_served(outputs: dict[str, str]) -> None:
        owner = machine_token(project.root / "owner-bot.json")
        reader = machine_token(project.root / "reader.json")
        for design in DESIGNS:
            assert statuses(outputs, owner, design) == OWNER, design
        assert statuses(outputs, reader, "") == VIEWER  # the authorizer's policy: items.read only
        assert statuses(outputs, reader, "/standard") == {**VIEWER, "POST": 401, "DELETE": 401}  # Cognito's scopes

    machines_served(outputs)
    outputs, printed = update(cli, project, authorizerCacheTtl=60)  # the authorizer changes: a new deployment
    assert MOVES in printed and stage(clients, project)[0] != second
    assert_people_served(clients, outputs)
    machines_served(outputs)


def test_a_deploy_without_changes_makes_no_new_deployment(cli: Cli, project: Project, people: dict[str, str],
                                                          clients: Any) -> None:
    before = stage(clients, project)
    again = cli("deploy", "--yes", "--output", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["status"] == "up-to-date"
    assert stage(clients, project) == before


def old_templates(project: Project) -> None:
    """The project's own templates as a claimsctl before roles rendered them: GET only, one fixed deployment."""
    templates = project.copy_templates()
    api = templates / "partials" / "api.yaml.j2"
    source = api.read_text()
    for design in ("optimized", "standard"):
        loop = f"{{% for method in api.{design}.methods %}}"
        assert source.count(loop) == 2  # the methods, and the deployment's DependsOn
        source = source.replace(loop, f'{{% for method in api.{design}.methods if method.http_method == "GET" %}}')
    assert "{{ api_deployment }}:" in source
    api.write_text(source.replace("{{ api_deployment }}:", "ApiDeployment:"))


def test_an_old_stack_gains_the_roles_post_and_delete(cli: Cli, project: Project, deployed: Deployer,
                                                       clients: Any) -> None:
    old_templates(project)
    outputs = deployed(triggerVersion="V1_0", api="both")
    added = cli("add-user", "--username", "olga", "--email", "olga@example.com", "--projects", "p1:owner",
                "--password-stdin", "--seed-items", "1", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    old = statuses(outputs, user_token(clients, outputs, "olga"), "")
    assert old["GET"] == 200 and old["POST"] == old["DELETE"] == 403  # API Gateway: no such method
    shutil.rmtree(project.root / "templates")  # the templates this claimsctl ships

    outputs, printed = update(cli, project)
    assert MOVES in printed and "+ ItemsPostMethod" in printed and "- ApiDeployment " in printed
    assert_people_with_owner_only(clients, outputs)


def assert_people_with_owner_only(clients: Any, outputs: dict[str, str]) -> None:
    for design in DESIGNS:
        assert statuses(outputs, user_token(clients, outputs, "olga"), design) == OWNER, design


# A route added to an init --with-source project: GET /projects/{projectId} declared in stackInputs.json's
# "routes" (which the project's template renders), its handler, and the rule that lets a viewer use it.
NEW_ROUTE = {"method": "GET", "path": "/projects/{projectId}", "handler": "project_info.get"}
NEW_HANDLER = """def get(request):
    return {"projectId": request.params["projectId"], "principal": request.principal}
"""
NEW_RULE = '"viewer": [("GET", "/projects/{id}/items"), ("GET", "/projects/{id}")],'


@pytest.fixture
def source_project(tmp_path: Path, endpoint: str) -> Any:
    with made_with_source(tmp_path / "app", "route") as made:
        yield made


def test_a_route_added_to_the_projects_template_is_served_after_deploy(source_project: Any, clients: Any) -> None:
    cli, folder = source_project
    deployed = cli("deploy", "--yes", "--output", "json")
    assert deployed.exit_code == 0, deployed.output
    outputs = json.loads(deployed.stdout)["outputs"]
    added = cli("add-user", "--username", "vera", "--email", "vera@example.com", "--projects", "p1",
                "--password-stdin", "--seed-items", "1", stdin=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    token = user_token(clients, outputs, "vera")
    before = call(outputs, token, "GET", "/projects/p1")
    assert before.status_code == 403 and before.json() == {"message": "Missing Authentication Token"}

    inputs = json.loads((folder / "stackInputs.json").read_text())
    (folder / "stackInputs.json").write_text(json.dumps({**inputs, "routes": [*inputs["routes"], NEW_ROUTE]}))
    (folder / "lambda_src" / "project_info.py").write_text(NEW_HANDLER)
    claims = folder / "lambda_src" / "claims.py"
    assert '"viewer": [("GET", "/projects/{id}/items")],' in claims.read_text()
    claims.write_text(claims.read_text().replace('"viewer": [("GET", "/projects/{id}/items")],', NEW_RULE))
    updated = cli("deploy", "--yes")
    assert updated.exit_code == 0, updated.output
    assert "+ ProjectIdGetMethod" in updated.output and "+ StandardProjectIdGetMethod" in updated.output
    assert MOVES in updated.output

    token = user_token(clients, outputs, "vera")
    for design in DESIGNS:
        served = call(outputs, token, "GET", design + "/projects/p1")
        assert served.status_code == 200 and served.json() == {"projectId": "p1", "principal": "vera"}, design
        assert call(outputs, token, "GET", design + "/projects/p2").status_code == 403  # denied by routes_for


# Part B: a V3_0 trigger that adds `openid` to a machine token (a project's own trigger may add scopes).
ADD_OPENID = '''

_generated = handler


def handler(event, context):  # type: ignore[no-redef]
    answered = _generated(event, context)
    if event.get("triggerSource") == "TokenGeneration_ClientCredentials":
        details = answered["response"].setdefault("claimsAndScopeOverrideDetails", {}) or {}
        answered["response"]["claimsAndScopeOverrideDetails"] = details
        details.setdefault("accessTokenGeneration", {})["scopesToAdd"] = ["openid"]
    return answered
'''


def test_standard_write_methods_recheck_a_machine_tokens_api_scope(source_project: Any) -> None:
    cli, folder = source_project
    inputs = json.loads((folder / "stackInputs.json").read_text())
    (folder / "stackInputs.json").write_text(json.dumps({**inputs, "triggerVersion": "V3_0"}))
    trigger = folder / "lambda_src" / "pre_token_generation.py"
    trigger.write_text(trigger.read_text() + ADD_OPENID)
    deployed = cli("deploy", "--yes", "--output", "json")
    assert deployed.exit_code == 0, deployed.output
    outputs = json.loads(deployed.stdout)["outputs"]
    made = cli("add-client", "reader", "--projects", "p1:owner", "--scopes", "items.read",
               "--secret-out", str(folder / "reader.json"))
    assert made.exit_code == 0, made.output
    token = machine_token(folder / "reader.json")
    scopes = jwt.decode(token, options={"verify_signature": False})["scope"].split()
    assert "openid" in scopes and not any(scope.endswith("/items.write") for scope in scopes)
    for design in DESIGNS:
        assert call(outputs, token, "GET", design + "/projects/p1/items").status_code == 200, design
        assert call(outputs, token, "POST", design + "/projects/p1/items", {"title": "x"}).status_code == 403, design
        assert call(outputs, token, "DELETE", design + "/projects/p1/items/item-1").status_code == 403, design


# The claimsctl this work started from (fixed ApiDeployment, one items function per design): its templates and
# Lambda code, as a project that copied them with `init --with-source` holds them.
BEFORE_ROUTES = "b287b16"


def copy_from_history(commit: str, folder: Path) -> bool:
    """templates/ and lambda_src/ of `commit` into `folder`; False when this checkout's history lacks it."""
    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "templates", "lambda_src"],
                                 capture_output=True, check=True, timeout=60).stdout
    except (OSError, subprocess.CalledProcessError):
        return False
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return True


def copy_previous_release(folder: Path) -> None:
    """The previous release's templates/ and lambda_src/ in `folder`; skipped in a checkout without that history,
    never in CI (a clone of main holds it)."""
    if not copy_from_history(BEFORE_ROUTES, folder):
        if os.environ.get("CI"):
            pytest.fail(f"CI's clone lacks {BEFORE_ROUTES}: the previous release's update is not tested")
        pytest.skip(f"this checkout's history lacks {BEFORE_ROUTES}")


def test_a_stack_deployed_before_routes_updates_in_place_keeping_its_items(
        cli: Cli, project: Project, deployed: Deployer, clients: Any) -> None:
    copy_previous_release(project.root)
    project.inputs.pop("routes", None)  # that claimsctl knew no "routes"
    outputs = deployed(triggerVersion="V1_0", api="both")
    added = cli("add-user", "--username", "olga", "--email", "olga@example.com", "--projects", "p1:owner",
                "--password-stdin", "--seed-items", "1", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    created = call(outputs, user_token(clients, outputs, "olga"), "POST", "/projects/p1/items", {"title": "kept"})
    assert created.status_code == 201, created.text
    shutil.rmtree(project.root / "templates")
    shutil.rmtree(project.root / "lambda_src")  # now the code and templates this claimsctl ships

    outputs, printed = update(cli, project)
    assert "ProjectItemsFunction" in printed and "+ ProjectsResource" not in printed  # updated, not recreated
    token = user_token(clients, outputs, "olga")
    for design in DESIGNS:
        listed = call(outputs, token, "GET", design + "/projects/p1/items")
        assert listed.status_code == 200 and "kept" in [item["title"] for item in listed.json()["items"]], design
    assert_people_with_owner_only(clients, outputs)


def test_an_upgraded_copy_of_the_previous_release_with_a_changed_items_py_still_writes(
        cli: Cli, project: Project, deployed: Deployer, clients: Any) -> None:
    """upgrade-source keeps a file the user changed (here the previous release's items.py): the handlers it brings
    forward must not need that file's new shape (the item routes' data layer is item_store.py, a new name)."""
    copy_previous_release(project.root)
    items = project.root / "lambda_src" / "items.py"
    items.write_text(items.read_text() + "\n# the team's own note\n")
    project.inputs.pop("routes", None)
    outputs = deployed(triggerVersion="V1_0", api="both")
    added = cli("add-user", "--username", "ivan", "--email", "ivan@example.com", "--projects", "p1:owner",
                "--password-stdin", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    upgraded = cli("upgrade-source")
    assert upgraded.exit_code == 0 and "items.py" in upgraded.output, upgraded.output  # kept, and named
    assert "team's own note" in items.read_text()
    outputs, _ = update(cli, project)
    token = user_token(clients, outputs, "ivan")
    for design in DESIGNS:
        created = call(outputs, token, "POST", design + "/projects/p1/items", {"title": "after the upgrade"})
        assert created.status_code == 201, (design, created.text)
        assert call(outputs, token, "DELETE", design + f"/projects/p1/items/{created.json()['itemId']}").status_code \
            == 204, design


def test_an_older_lambda_src_under_the_shipped_templates_is_refused_before_anything_is_deployed(
        cli: Cli, project: Project, endpoint: str, clients: Any) -> None:
    """The previous release's lambda_src/ (no router) with this release's templates: refused at deploy, naming
    what is missing and upgrade-source, with no stack made (it would deploy, then answer 502 on every call)."""
    copy_previous_release(project.root)
    shutil.rmtree(project.root / "templates")  # the shipped templates: they run router.optimized
    project.inputs.pop("routes", None)  # that release knew no "routes": the shipped ones are served
    project.write()
    refused = cli("deploy", "--yes")
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    text = " ".join(refused.output.split())
    assert "lacks what the stack's functions run" in text and "router.py does not exist" in text
    assert "item_routes.py does not exist" in text and "claimsctl upgrade-source --dry-run" in text
    stacks = clients("cloudformation").list_stacks()["StackSummaries"]
    assert project.inputs["stackName"] not in [s["StackName"] for s in stacks if s["StackStatus"] != "DELETE_COMPLETE"]
