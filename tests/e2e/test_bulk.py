"""add-user --from-file: validation before any write, concurrent seeding, re-runs that fill in only what differs."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path
from typing import Any

import pytest

from claimsctl import bulk
from tests.conftest import Cli, Project


@pytest.fixture
def deployed(cli: Cli, project: Project) -> Any:
    project.write(api="none")
    result = cli("deploy", "--yes", "--output", "json")
    assert result.exit_code == 0, result.output
    yield json.loads(result.stdout)["outputs"]
    cli("teardown", "--yes")


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["username", "email", "projects", "password"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def rows(count: int) -> list[dict[str, str]]:
    return [{"username": f"bulk{n:03d}", "email": f"bulk{n:03d}@example.com", "projects": f"p{n % 7},shared",
             "password": "Given-Passw0rd!" if n % 2 else ""} for n in range(count)]


def test_seed_rerun_and_update(cli: Cli, project: Project, deployed: dict[str, str], clients: Any) -> None:
    source = write_csv(project.root / "users.csv", rows(60))
    passwords = project.root / "passwords.csv"
    first = cli("add-user", "--from-file", str(source), "--passwords-out", str(passwords))
    assert first.exit_code == 0, first.output
    assert "60 created, 0 updated, 0 unchanged, 0 failed" in first.output
    assert stat.S_IMODE(passwords.stat().st_mode) == 0o600
    generated = {r["username"]: r["password"] for r in csv.DictReader(passwords.open())}
    assert len(generated) == 30 and "Given-Passw0rd!" not in first.output
    assert all(password not in first.output for password in generated.values())
    login = cli("login", "bulk000", "--password-stdin", "--output", "json", input=generated["bulk000"] + "\n")
    assert json.loads(login.stdout)["id_token"]["projects"] == "p0,shared"

    again = cli("add-user", "--from-file", str(source), "--passwords-out", str(passwords))
    assert "0 created, 0 updated, 60 unchanged, 0 failed" in again.output

    changed = rows(60)
    for row in changed[:3]:
        row["projects"] = "p9"
    changed += [{"username": "late", "email": "late@example.com", "projects": "p1", "password": "Late-Passw0rd!"}]
    third = cli("add-user", "--from-file", str(write_csv(project.root / "users2.csv", changed)),
                "--passwords-out", str(passwords))
    assert "1 created, 3 updated, 57 unchanged, 0 failed" in third.output
    listed = {u["username"]: u["projects"] for u in json.loads(cli("list-users", "--output", "json").stdout)}
    assert listed["bulk000"] == ["p9"] and listed["late"] == ["p1"] and len(listed) == 61


def test_a_bad_file_writes_nothing(cli: Cli, project: Project, deployed: dict[str, str], clients: Any) -> None:
    bad = [*rows(5),
           {"username": "bulk001", "email": "dup@example.com", "projects": "p1", "password": "x"},
           {"username": "oops", "email": "not-an-email", "projects": "p1", "password": "x"},
           {"username": "bad", "email": "b@example.com", "projects": "p1,no way", "password": "x"}]
    result = cli("add-user", "--from-file", str(write_csv(project.root / "bad.csv", bad)),
                 "--passwords-out", str(project.root / "pw.csv"))
    assert result.exit_code == 1
    assert "3 invalid record(s); nothing was written" in result.output
    assert "record 7: user bulk001 appears twice" in result.output
    assert "record 8: Email 'not-an-email' is not a valid address." in result.output
    assert "record 9: Project id 'no way' is not valid" in result.output
    assert clients("cognito-idp").list_users(UserPoolId=deployed["UserPoolId"])["Users"] == []


def test_json_files_and_a_missing_password_file(cli: Cli, project: Project, deployed: dict[str, str]) -> None:
    source = project.root / "users.json"
    source.write_text(json.dumps([{"username": "jay", "email": "jay@example.com", "projects": ["a", "b"]}]))
    refused = cli("add-user", "--from-file", str(source))
    assert refused.exit_code == 2 and "--passwords-out" in refused.output
    ok = cli("add-user", "--from-file", str(source), "--passwords-out", str(project.root / "pw.csv"))
    assert ok.exit_code == 0 and "1 created" in ok.output


def test_generated_passwords_satisfy_the_policy() -> None:
    from claimsctl.local.cognito.passwords import policy_problem

    policy = {"MinimumLength": 12, "RequireLowercase": True, "RequireUppercase": True, "RequireNumbers": True,
              "RequireSymbols": True}
    assert all(policy_problem(policy, bulk.generate_password()) is None for _ in range(200))


def test_seeding_rides_out_throttling(cli: Cli, project: Project, deployed: dict[str, str], endpoint: str) -> None:
    import requests

    targets = ["AWSCognitoIdentityProviderService.AdminCreateUser",
               "AWSCognitoIdentityProviderService.AdminSetUserPassword"]
    faults = requests.post(f"{endpoint}/_claimsctl/faults", json={"throttle": dict.fromkeys(targets, 0.15), "seed": 1},
                           timeout=10)
    assert faults.status_code == 200
    try:
        given = [{**row, "password": "Given-Passw0rd!"} for row in rows(20)]
        result = cli("add-user", "--from-file", str(write_csv(project.root / "users.csv", given)), "--concurrency", "8")
    finally:
        requests.post(f"{endpoint}/_claimsctl/faults", json={}, timeout=10)
    assert result.exit_code == 0, result.output
    assert "20 created, 0 updated, 0 unchanged, 0 failed" in result.output
    throttled = requests.get(f"{endpoint}/_claimsctl/stats", timeout=10).json()["throttled"]
    assert sum(throttled.values()) >= 2  # the service pushed back, and every user still landed
