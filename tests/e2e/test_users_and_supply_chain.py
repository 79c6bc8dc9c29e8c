"""User names as Cognito matches them, users removed for good, the web config's home, and whose code we deploy."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import REGION, Cli, Project

PASSWORD = "Casing-Passw0rd!x"
ATTACKER = "222222222222"


@pytest.fixture
def deployed(cli: Cli, project: Project) -> Iterator[dict[str, str]]:
    project.write(api="none")
    result = cli("deploy", "--yes", "--output", "json")
    assert result.exit_code == 0, result.output
    yield json.loads(result.stdout)["outputs"]
    cli("teardown", "--yes")


def add(cli: Cli, username: str, projects: str = "p1") -> Any:
    return cli("add-user", "--username", username, "--email", f"{username.lower()}@example.com",
               "--projects", projects, "--password-stdin", input=PASSWORD + "\n")


def rows(clients: Any, outputs: dict[str, str]) -> set[str]:
    items = clients("dynamodb").scan(TableName=outputs["UsersTableName"])["Items"]
    return {item["userName"]["S"] for item in items}


def test_names_differing_in_case_are_one_user_and_one_row(cli: Cli, deployed: dict[str, str], clients: Any) -> None:
    assert add(cli, "casey").exit_code == 0
    assert add(cli, "CASEY", "p2,p3").exit_code == 0  # an update of casey, not a second user
    assert rows(clients, deployed) == {"casey"}
    login = cli("login", "Casey", "--password-stdin", "--output", "json", input=PASSWORD + "\n")
    assert json.loads(login.stdout)["id_token"]["projects"] == "p2,p3"
    removed = cli("remove-user", "CASEY")
    assert removed.exit_code == 0 and "casey" in removed.output
    assert rows(clients, deployed) == set()
    assert clients("cognito-idp").list_users(UserPoolId=deployed["UserPoolId"])["Users"] == []


def test_bulk_never_sets_a_generated_password_on_a_user_of_another_case(cli: Cli, project: Project,
                                                                        deployed: dict[str, str]) -> None:
    assert add(cli, "casey").exit_code == 0
    source = project.root / "users.csv"
    source.write_text("username,email,projects\nCASEY,casey@example.com,p9\n")
    passwords = project.root / "passwords.csv"
    result = cli("add-user", "--from-file", str(source), "--passwords-out", str(passwords))
    assert result.exit_code == 0, result.output
    assert "0 created, 1 updated" in result.output and not passwords.exists()
    login = cli("login", "casey", "--password-stdin", "--output", "json", input=PASSWORD + "\n")
    assert login.exit_code == 0 and json.loads(login.stdout)["id_token"]["projects"] == "p9"


def test_remove_user_signs_out_everywhere_first(cli: Cli, deployed: dict[str, str], clients: Any,
                                                endpoint: str) -> None:
    import requests

    assert add(cli, "leaver").exit_code == 0
    before = requests.get(f"{endpoint}/_claimsctl/stats", timeout=10).json()["requests_by_target"]
    result = cli("remove-user", "leaver")
    assert result.exit_code == 0 and "stay valid until they expire (at most 60 minutes" in result.output
    after = requests.get(f"{endpoint}/_claimsctl/stats", timeout=10).json()["requests_by_target"]
    target = "AWSCognitoIdentityProviderService.AdminUserGlobalSignOut"
    assert after.get(target, 0) == before.get(target, 0) + 1


def test_verify_reads_the_token_from_stdin(cli: Cli, deployed: dict[str, str]) -> None:
    assert add(cli, "reader").exit_code == 0
    shown = cli("login", "reader", "--password-stdin", "--output", "json", "--show-tokens", input=PASSWORD + "\n")
    token = json.loads(shown.stdout)["tokens"]["id_token"]
    verified = cli("verify", "-", "--token-use", "id", input=token + "\n")
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.stdout)["cognito:username"] == "reader"
    assert cli("verify", "-", input="").exit_code == 2


def test_web_config_stays_in_the_project_folder(cli: Cli, project: Project) -> None:
    from tests.conftest import ROOT

    shipped = ROOT / "pre-token-web-app" / "public" / "claimsctl-config.json"
    before = shipped.read_bytes() if shipped.exists() else None
    (project.root / "pre-token-web-app").rmdir()
    project.write(api="none")
    result = cli("deploy", "--yes")
    assert result.exit_code == 0, result.output
    assert (project.root / "claimsctl-config.json").exists()
    assert (shipped.read_bytes() if shipped.exists() else None) == before
    assert cli("teardown", "--yes").exit_code == 0
    assert not (project.root / "claimsctl-config.json").exists()
    assert (shipped.read_bytes() if shipped.exists() else None) == before


def test_a_config_file_claimsctl_did_not_write_is_never_overwritten(cli: Cli, project: Project, clients: Any) -> None:
    mine = project.root / "mine.json"
    mine.write_text('{"hand": "written"}')
    project.write(api="none")
    result = cli("deploy", "--yes", "--web-config", str(mine))
    assert result.exit_code == 1 and "was not written by claimsctl" in result.output
    assert mine.read_text() == '{"hand": "written"}'
    names = [s["StackName"] for s in clients("cloudformation").list_stacks()["StackSummaries"]
             if s["StackStatus"] != "DELETE_COMPLETE"]
    assert project.inputs["stackName"] not in names  # refused before anything was created


# -- the artifact bucket: never someone else's, never an object we did not put there ------------------


def attacker_s3(endpoint: str) -> Any:
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="attacker",
                      aws_secret_access_key="attacker")
    s3.meta.events.register("before-sign.s3.*", lambda request, **_: request.headers.__setitem__(
        "x-moto-account-id", ATTACKER))
    return s3


def test_a_bucket_squatted_by_another_account_is_refused(cli: Cli, project: Project, endpoint: str,
                                                         clients: Any) -> None:
    account = clients("sts").get_caller_identity()["Account"]
    squatted = f"claimsctl-artifacts-{account}-{REGION}"
    attacker = attacker_s3(endpoint)
    attacker.create_bucket(Bucket=squatted)
    try:
        attacker.put_bucket_tagging(Bucket=squatted, Tagging={"TagSet": [{"Key": "claimsctl:managed", "Value": "true"}]})
        project.write(api="none")
        result = cli("deploy", "--yes")
        assert result.exit_code == 1
        assert "not owned by account" in result.output and squatted in result.output
        assert attacker.list_objects_v2(Bucket=squatted).get("KeyCount", 0) == 0
    finally:
        attacker.delete_bucket(Bucket=squatted)


def test_an_object_with_another_checksum_at_the_artifact_key_is_replaced(cli: Cli, project: Project,
                                                                         clients: Any) -> None:
    from claimsctl import package

    project.write(api="none")
    assert cli("deploy", "--yes").exit_code == 0
    s3 = clients("s3")
    account = clients("sts").get_caller_identity()["Account"]
    bucket = f"claimsctl-artifacts-{account}-{REGION}"
    from tests.conftest import ROOT

    artifact = package.build(ROOT / "lambda_src")
    key = artifact.key(project.inputs["stackName"])
    s3.put_object(Bucket=bucket, Key=key, Body=b"planted code")  # same key, other bytes
    assert cli("deploy", "--yes").exit_code == 0
    stored = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == artifact.sha256
    head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert head.get("ChecksumSHA256") == base64.b64encode(hashlib.sha256(stored).digest()).decode()
    assert cli("teardown", "--yes").exit_code == 0


def test_passwords_csv_has_no_formula_cells(cli: Cli, project: Project, deployed: dict[str, str]) -> None:
    source = project.root / "users.csv"
    source.write_text("username,email,projects\n" + "".join(f"f{n},f{n}@example.com,p1\n" for n in range(30)))
    passwords = project.root / "passwords.csv"
    assert cli("add-user", "--from-file", str(source), "--passwords-out", str(passwords)).exit_code == 0
    cells = [cell for row in csv.reader(passwords.open()) for cell in row]
    assert len(cells) == 62 and not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
