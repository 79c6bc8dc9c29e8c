"""The mission's journey through the real commands on the emulator: deploy, users, login, update, teardown."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Cli, Project

PASSWORD = "Corr3ct-Horse-Battery!"


def deploy(cli: Cli) -> dict[str, Any]:
    result = cli("deploy", "--yes", "--output", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def login_claims(cli: Cli, username: str, password: str = PASSWORD) -> dict[str, Any]:
    result = cli("login", username, "--password-stdin", "--output", "json", input=password + "\n")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def add_user(cli: Cli, username: str, projects: str, password: str = PASSWORD) -> Any:
    return cli("add-user", "--username", username, "--email", f"{username}@example.com", "--projects", projects,
               "--password-stdin", input=password + "\n")


def test_v1_journey_end_to_end(cli: Cli, project: Project, clients: Any, endpoint: str) -> None:
    first = deploy(cli)
    assert first["status"] == "created"
    outputs = first["outputs"]
    assert outputs["UserPoolId"].startswith("us-east-1_")
    assert outputs["HostedUiUrl"] == f"{endpoint}/hosted-ui/{project.inputs['userPoolDomainName']}"
    web_config = json.loads(project.constants_file.read_text())
    assert web_config["clientId"] == outputs["UserPoolClientId"]
    assert web_config["authority"] == f"{endpoint}/{outputs['UserPoolId']}"
    assert web_config["redirectUrl"] == "http://localhost:8081/"

    again = deploy(cli)
    assert again["status"] == "up-to-date"

    assert add_user(cli, "alice", "p2,p1").exit_code == 0
    assert add_user(cli, "bob", "p3").exit_code == 0
    claims = login_claims(cli, "alice")
    assert claims["id_token"]["projects"] == "p1,p2"
    assert "projects" not in claims["access_token"]  # V1 changes the ID token only
    assert claims["id_token"]["cognito:username"] == "alice"
    assert login_claims(cli, "bob")["id_token"]["projects"] == "p3"

    updated = cli("add-user", "--username", "alice", "--projects", "p1,p9")
    assert updated.exit_code == 0, updated.output
    assert "User alice updated" in updated.output
    assert login_claims(cli, "alice")["id_token"]["projects"] == "p1,p9"

    listing = cli("list-users", "--output", "json")
    assert [(u["username"], u["projects"]) for u in json.loads(listing.stdout)] == [
        ("alice", ["p1", "p9"]), ("bob", ["p3"])]

    removed = cli("remove-user", "bob")
    assert removed.exit_code == 0
    assert [u["username"] for u in json.loads(cli("list-users", "--output", "json").stdout)] == ["alice"]

    gone = cli("teardown", "--yes")
    assert gone.exit_code == 0, gone.output
    assert f"Stack {project.inputs['stackName']} deleted." in gone.output
    assert not project.constants_file.exists()
    assert_nothing_left(clients, project, outputs)

    twice = cli("teardown", "--yes")
    assert twice.exit_code == 0
    assert "does not exist; nothing to delete" in twice.output


def assert_nothing_left(clients: Any, project: Project, outputs: dict[str, str]) -> None:
    name = project.inputs["stackName"]
    pools = clients("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]
    assert outputs["UserPoolId"] not in [p["Id"] for p in pools]
    assert project.inputs["usersTableName"] not in clients("dynamodb").list_tables()["TableNames"]
    functions = [f["FunctionName"] for f in clients("lambda").list_functions()["Functions"]]
    assert f"{name}-pre-token-generation" not in functions
    roles = [r["RoleName"] for r in clients("iam").list_roles()["Roles"]]
    assert not [r for r in roles if r.startswith(name)]
    buckets = clients("s3").list_buckets()["Buckets"]
    for bucket in buckets:
        listed = clients("s3").list_objects_v2(Bucket=bucket["Name"], Prefix=f"claimsctl/{name}/")
        assert not listed.get("Contents")


def test_v2_puts_the_claim_in_both_tokens_as_a_list(cli: Cli, project: Project) -> None:
    project.write(triggerVersion="V2_0")
    deploy(cli)
    assert add_user(cli, "carol", "beta,alpha").exit_code == 0
    claims = login_claims(cli, "carol")
    assert claims["id_token"]["projects"] == ["alpha", "beta"]
    assert claims["access_token"]["projects"] == ["alpha", "beta"]
    shown = cli("login", "carol", "--password-stdin", "--output", "json", "--show-tokens", input=PASSWORD + "\n")
    access_token = json.loads(shown.stdout)["tokens"]["access_token"]
    verified = cli("verify", access_token, "--token-use", "access")
    assert verified.exit_code == 0 and json.loads(verified.stdout)["projects"] == ["alpha", "beta"]
    wrong_use = cli("verify", access_token, "--token-use", "id")
    assert wrong_use.exit_code == 1 and "Token use is 'access', expected 'id'" in wrong_use.output
    tampered = cli("verify", access_token[:-4] + "AAAA")
    assert tampered.exit_code == 1 and "signature is invalid" in tampered.output
    cli("teardown", "--yes")


def test_changed_input_updates_the_stack(cli: Cli, project: Project, clients: Any) -> None:
    outputs = deploy(cli)["outputs"]
    project.write(callbackUrls=["http://localhost:8081/", "https://app.example.com/callback"])
    result = cli("deploy", "--yes", "--output", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "updated"
    assert "~ UserPoolClient" in result.output
    described = clients("cognito-idp").describe_user_pool_client(
        UserPoolId=outputs["UserPoolId"], ClientId=outputs["UserPoolClientId"])["UserPoolClient"]
    assert described["CallbackURLs"] == ["http://localhost:8081/", "https://app.example.com/callback"]
    cli("teardown", "--yes")


def test_update_asks_before_executing(cli: Cli, project: Project) -> None:
    deploy(cli)
    project.write(logoutUrls=["http://localhost:8081/bye"])
    declined = cli("deploy", input="n\n")
    assert declined.exit_code == 1
    assert "Deploy cancelled; the stack was not changed." in declined.output
    accepted = cli("deploy", input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert "Stack updated: 1 resource(s) updated." in accepted.output
    cli("teardown", "--yes")


def test_invalid_inputs_file_lists_every_problem(cli: Cli, project: Project) -> None:
    project.write(triggerVersion="V9", stackName="9bad", userPoolDomainName="my-cognito-app", claimNam="x")
    result = cli("deploy", "--yes")
    assert result.exit_code == 1
    assert "4 problem(s)" in result.output
    assert "$.triggerVersion: must be one of V1_0, V2_0" in result.output
    assert "$.stackName:" in result.output
    assert "reserved word 'cognito'" in result.output
    assert "$.claimNam: unknown key; did you mean 'claimName'?" in result.output


def test_missing_inputs_file(cli: Cli, project: Project) -> None:
    project.inputs_path.unlink()
    result = cli("status")
    assert result.exit_code == 1
    assert "file not found" in result.output


def test_failed_template_change_rolls_back_and_next_deploy_recovers(cli: Cli, project: Project) -> None:
    templates = project.copy_templates()
    deploy(cli)
    main = templates / "stack.yaml.j2"
    original = main.read_text()
    users_table = "      TableName: {{ inputs.users_table_name | yaml_string }}"
    assert users_table in original
    main.write_text(original.replace(users_table, users_table + "\n      NotAProperty: 1"))
    failed = cli("deploy", "--yes")
    assert failed.exit_code == 1
    assert "UPDATE_ROLLBACK_COMPLETE" in failed.output
    assert "UsersTable: Properties validation failed" in failed.output
    assert "extraneous key [NotAProperty]" in failed.output
    main.write_text(original)
    assert deploy(cli)["status"] in ("up-to-date", "updated")
    assert add_user(cli, "dave", "p1").exit_code == 0
    assert login_claims(cli, "dave")["id_token"]["projects"] == "p1"
    cli("teardown", "--yes")


def test_failed_create_is_cleared_by_the_next_deploy(cli: Cli, project: Project, clients: Any) -> None:
    templates = project.copy_templates()
    main = templates / "stack.yaml.j2"
    original = main.read_text()
    main.write_text(original.replace("      GenerateSecret: false", "      GenerateSecret: false\n      Bogus: true"))
    failed = cli("deploy", "--yes")
    assert failed.exit_code == 1
    assert "ROLLBACK_COMPLETE" in failed.output
    assert project.inputs["usersTableName"] not in clients("dynamodb").list_tables()["TableNames"]
    main.write_text(original)
    result = cli("deploy", "--yes")
    assert result.exit_code == 0, result.output
    assert "deleted and created again" in result.output
    cli("teardown", "--yes")


@pytest.fixture
def deployed(cli: Cli) -> Any:
    outputs = deploy(cli)["outputs"]
    yield outputs
    cli("teardown", "--yes")


def test_weak_password_leaves_no_user(cli: Cli, deployed: dict[str, str], clients: Any) -> None:
    result = add_user(cli, "erin", "p1", password="short")
    assert result.exit_code == 1
    assert "The user pool rejected the password: Password not long enough" in result.output
    users = clients("cognito-idp").list_users(UserPoolId=deployed["UserPoolId"])["Users"]
    assert users == []
    assert clients("dynamodb").scan(TableName=deployed["UsersTableName"])["Items"] == []


def test_adding_an_existing_user_updates_it(cli: Cli, deployed: dict[str, str]) -> None:
    assert add_user(cli, "frank", "p1").exit_code == 0
    again = add_user(cli, "frank", "p2", password="An0ther-Password!")
    assert again.exit_code == 0
    assert "User frank updated" in again.output
    assert login_claims(cli, "frank", "An0ther-Password!")["id_token"]["projects"] == "p2"


def test_bad_project_id_and_unknown_user(cli: Cli, deployed: dict[str, str]) -> None:
    bad = add_user(cli, "gina", "p1,bad id!")
    assert bad.exit_code == 1
    assert "Project id 'bad id!' is not valid" in bad.output
    unknown = cli("remove-user", "nobody")
    assert unknown.exit_code == 1
    assert "No user named nobody" in unknown.output
    wrong = cli("login", "nobody", "--password-stdin", input="whatever\n")
    assert wrong.exit_code == 1
    assert "incorrect user name or password" in wrong.output


def test_interactive_add_user_prompts_and_hides_the_password(cli: Cli, deployed: dict[str, str]) -> None:
    answers = "hank\nhank@example.com\np4,p5\n" + PASSWORD + "\n" + PASSWORD + "\n"
    result = cli("add-user", input=answers)
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert login_claims(cli, "hank")["id_token"]["projects"] == "p4,p5"


def test_commands_before_deploy_say_what_to_do(cli: Cli) -> None:
    result = cli("add-user", "--username", "ivy", "--projects", "p1")
    assert result.exit_code == 1
    assert "is not deployed" in result.output and "claimsctl deploy" in result.output
    status = cli("status", "--output", "json")
    assert json.loads(status.stdout)["status"] == "NOT_DEPLOYED"
