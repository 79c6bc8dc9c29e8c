"""Nothing a user stored is lost silently: redeploys that would drop tables, teardown, and generated passwords."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path
from typing import Any

import pytest
import requests

from claimsctl import bulk, display
from tests.conftest import Cli, Deployer, Project

PASSWORD = "Safety-Passw0rd!x"


@pytest.fixture
def stack(deployed: Deployer) -> dict[str, str]:
    return deployed()


def add_alice(cli: Cli) -> None:
    result = cli("add-user", "--username", "alice", "--email", "alice@example.com", "--projects", "p1,p2",
                 "--seed-items", "2", "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output


def table_names(clients: Any) -> list[str]:
    return clients("dynamodb").list_tables()["TableNames"]  # type: ignore[no-any-return]


# -- deploy never drops a table holding rows -----------------------------------------------------


def test_renaming_the_users_table_is_refused_even_with_yes(cli: Cli, project: Project, stack: dict[str, str],
                                                           clients: Any) -> None:
    add_alice(cli)
    old = project.inputs["usersTableName"]
    project.write(usersTableName=old + "-renamed")
    refused = cli("deploy", "--yes")
    assert refused.exit_code == 1
    assert f"{old} (UsersTable, 1 row)" in refused.output and "--allow-data-loss" in refused.output
    status = json.loads(cli("status", "--output", "json").stdout)
    assert status["status"] == "CREATE_COMPLETE" and status["outputs"]["UsersTableName"] == old
    summaries = clients("cloudformation").list_change_sets(StackName=project.inputs["stackName"])["Summaries"]
    pending = [c for c in summaries if c["StackName"] == project.inputs["stackName"]
               and c.get("ExecutionStatus") != "EXECUTE_COMPLETE"]
    assert pending == []  # the refused change set was deleted
    login = cli("login", "alice", "--password-stdin", "--output", "json", input=PASSWORD + "\n")
    assert json.loads(login.stdout)["id_token"]["projects"] == "p1,p2"

    allowed = cli("deploy", "--yes", "--allow-data-loss")
    assert allowed.exit_code == 0, allowed.output
    assert old in table_names(clients)  # the Retain policy still keeps the old table and its row
    row = clients("dynamodb").get_item(TableName=old, Key={"userName": {"S": "alice"}})
    assert "Item" in row
    clients("dynamodb").delete_table(TableName=old)


def test_removing_the_api_keeps_an_items_table_with_rows(cli: Cli, project: Project, stack: dict[str, str],
                                                         clients: Any) -> None:
    add_alice(cli)
    project.write(api="none")
    refused = cli("deploy", "--yes")
    assert refused.exit_code == 1
    assert f"{stack['ItemsTableName']} (ItemsTable, 4 rows)" in refused.output
    assert requests.get(f"{stack['ApiUrl']}/projects/p1/items", timeout=30).status_code == 401  # API still there


def test_an_empty_table_may_be_replaced_without_the_flag(cli: Cli, project: Project, stack: dict[str, str],
                                                         clients: Any) -> None:
    project.write(usersTableName=project.inputs["usersTableName"] + "-2")
    result = cli("deploy", "--yes")
    assert result.exit_code == 0, result.output


# -- teardown asks, counts and can keep the data -------------------------------------------------


def test_teardown_counts_rows_asks_and_keeps_data_on_request(cli: Cli, project: Project, clients: Any) -> None:
    assert cli("deploy", "--yes").exit_code == 0
    add_alice(cli)
    users_table = project.inputs["usersTableName"]
    declined = cli("teardown", input="n\n")
    assert declined.exit_code == 1
    assert "5 row(s)" in declined.output and f"{users_table} (UsersTable, 1 row)" in declined.output
    assert users_table in table_names(clients)

    kept = cli("teardown", "--yes", "--keep-data")
    assert kept.exit_code == 0, kept.output
    assert f"Kept table {users_table} (UsersTable, 1 row)" in kept.output
    assert users_table in table_names(clients)
    for table in (users_table, f"{project.inputs['stackName']}-items"):
        clients("dynamodb").delete_table(TableName=table)


def test_teardown_yes_deletes_the_tables_and_says_so(cli: Cli, project: Project, clients: Any) -> None:
    assert cli("deploy", "--yes").exit_code == 0
    add_alice(cli)
    result = cli("teardown", "--yes")
    assert result.exit_code == 0, result.output
    assert f"Deleted table {project.inputs['usersTableName']}." in result.output
    assert project.inputs["usersTableName"] not in table_names(clients)


def test_teardown_stops_at_a_protected_user_pool_and_says_how_to_release_it(cli: Cli, project: Project,
                                                                          clients: Any) -> None:
    project.write(deletionProtection=True)
    assert cli("deploy", "--yes").exit_code == 0
    add_alice(cli)
    refused = cli("teardown", "--yes")
    assert refused.exit_code == 1
    assert '"deletionProtection": false' in refused.output and "claimsctl deploy" in refused.output
    stacks = clients("cloudformation").describe_stacks(StackName=project.inputs["stackName"])["Stacks"]
    assert stacks[0]["StackStatus"].endswith("_COMPLETE") and "DELETE" not in stacks[0]["StackStatus"]
    assert project.inputs["usersTableName"] in table_names(clients)  # nothing was deleted

    project.write(deletionProtection=False)  # the owner's decision, deployed; claimsctl never forces it off
    assert cli("deploy", "--yes").exit_code == 0
    released = cli("teardown", "--yes")
    assert released.exit_code == 0, released.output


def test_seed_items_without_an_api_is_refused_before_the_user_exists(cli: Cli, project: Project, clients: Any) -> None:
    project.write(api="none")
    deployed = cli("deploy", "--yes", "--output", "json")
    assert deployed.exit_code == 0, deployed.output
    pool_id = json.loads(deployed.stdout)["outputs"]["UserPoolId"]
    refused = cli("add-user", "--username", "alice", "--email", "alice@example.com", "--projects", "p1",
                  "--seed-items", "2", "--password-stdin", input=PASSWORD + "\n")
    assert refused.exit_code == 1 and '--seed-items needs the API' in refused.output
    assert clients("cognito-idp").list_users(UserPoolId=pool_id)["Users"] == []  # no half-added user
    assert cli("teardown", "--yes").exit_code == 0


# -- the passwords file ----------------------------------------------------------------------------


def write_users(path: Path, count: int, prefix: str = "pw") -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["username", "email", "projects"])
        writer.writerows([f"{prefix}{n:03d}", f"{prefix}{n:03d}@example.com", "p1"] for n in range(count))
    return path


def pool_users(clients: Any, outputs: dict[str, str]) -> set[str]:
    pages = clients("cognito-idp").get_paginator("list_users").paginate(UserPoolId=outputs["UserPoolId"])
    return {u["Username"] for page in pages for u in page["Users"]}


def test_passwords_file_is_checked_before_any_user_exists(cli: Cli, project: Project, stack: dict[str, str],
                                                          clients: Any) -> None:
    source = write_users(project.root / "users.csv", 3)
    original = source.read_text()
    missing_dir = cli("add-user", "--from-file", str(source), "--passwords-out", str(project.root / "no" / "pw.csv"))
    assert missing_dir.exit_code == 1 and "does not exist" in missing_dir.output
    same = cli("add-user", "--from-file", str(source), "--passwords-out", str(source))
    assert same.exit_code == 1 and "is the input file" in same.output
    other = project.root / "notes.csv"
    other.write_text("important,data\n1,2\n")
    foreign = cli("add-user", "--from-file", str(source), "--passwords-out", str(other))
    assert foreign.exit_code == 1 and "not a claimsctl passwords file" in foreign.output
    assert other.read_text() == "important,data\n1,2\n" and source.read_text() == original
    assert pool_users(clients, stack) == set()


def test_every_created_user_has_its_password_after_ctrl_c(cli: Cli, project: Project, stack: dict[str, str],
                                                         clients: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_users(project.root / "users.csv", 40)
    passwords = project.root / "passwords.csv"
    real_progress = display.progress
    done = []

    def interrupted_after_ten(total: int, label: str) -> Any:
        manager = real_progress(total, label)

        class Wrapper:
            def __enter__(self) -> Any:
                advance = manager.__enter__()

                def step() -> None:
                    advance()
                    done.append(1)
                    if len(done) == 10:
                        raise KeyboardInterrupt  # as Ctrl-C lands in the main thread

                return step

            def __exit__(self, *exc: Any) -> Any:
                return manager.__exit__(*exc)

        return Wrapper()

    monkeypatch.setattr(display, "progress", interrupted_after_ten)
    result = cli("add-user", "--from-file", str(source), "--passwords-out", str(passwords), "--concurrency", "4")
    assert result.exit_code == 130
    created = pool_users(clients, stack)
    assert 10 <= len(created) < 40
    written = {row["username"]: row["password"] for row in csv.DictReader(passwords.open())}
    assert created <= set(written)
    assert stat.S_IMODE(passwords.stat().st_mode) == 0o600
    monkeypatch.setattr(display, "progress", real_progress)
    for name in sorted(created)[:3]:
        login = cli("login", name, "--password-stdin", "--output", "json", input=written[name] + "\n")
        assert login.exit_code == 0, login.output

    resumed = cli("add-user", "--from-file", str(source), "--passwords-out", str(passwords))
    assert resumed.exit_code == 0, resumed.output
    final = {row["username"]: row["password"] for row in csv.DictReader(passwords.open())}
    assert pool_users(clients, stack) <= set(final) and len(pool_users(clients, stack)) == 40
    assert all(final[name] == written[name] for name in created)


def test_a_throttled_update_is_a_failed_record_not_a_traceback(cli: Cli, project: Project, stack: dict[str, str],
                                                               endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")  # botocore's own setting: give up after one retry
    source = write_users(project.root / "users.csv", 4)
    passwords = project.root / "passwords.csv"
    assert cli("add-user", "--from-file", str(source), "--passwords-out", str(passwords)).exit_code == 0
    changed = project.root / "changed.csv"
    changed.write_text(source.read_text().replace("@example.com", "@example.org"))
    target = "AWSCognitoIdentityProviderService.AdminUpdateUserAttributes"
    requests.post(f"{endpoint}/_claimsctl/faults", json={"throttle": {target: 1.0}}, timeout=10)
    try:
        result = cli("add-user", "--from-file", str(changed), "--passwords-out", str(passwords))
    finally:
        requests.post(f"{endpoint}/_claimsctl/faults", json={}, timeout=10)
    assert result.exit_code == 1
    assert "0 created, 0 updated, 0 unchanged, 4 failed" in result.output
    assert "Too many requests" in result.output and "Traceback" not in result.output


def test_generated_passwords_and_names_never_start_a_formula() -> None:
    assert all(not bulk.generate_password().startswith(bulk.FORMULA_STARTS) for _ in range(2000))


def test_bulk_reads_excel_csv_with_a_byte_order_mark(tmp_path: Path) -> None:
    source = tmp_path / "excel.csv"
    source.write_bytes("username,email,projects\r\nbom-user,b@example.com,p1\r\n".encode("utf-8-sig"))
    assert [spec.username for spec in bulk.read(source)] == ["bom-user"]
