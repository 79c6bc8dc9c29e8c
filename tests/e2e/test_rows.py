"""Rows keep what they hold (issue 27): on a stack that already exists (deployed, then updated) whose rows
already hold attributes written outside claimsctl, a change of projects, `--set`/`--unset`, seeding files
and `remove-user` change only what they name; DynamoDB's types are stored; bad input is one line and
changes nothing; `--projects ""` asks on a terminal and needs --yes without one."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, Cli, Deployer, Project, source_project
from tests.e2e.test_claims_seam import TENANT_CLAIM

PASSWORD = "Rows-Passw0rd!x"
SIGNUP = {"M": {"source": {"S": "web"}, "at": {"N": "1700000000"}}}


def item(clients: Any, table: str, key: str) -> dict[str, Any]:
    found = clients("dynamodb").get_item(TableName=table, Key={"userName": {"S": key}}, ConsistentRead=True)
    return found.get("Item", {})  # type: ignore[no-any-return]


@pytest.fixture
def stack(cli: Cli, deployed: Deployer, project: Project, clients: Any) -> dict[str, str]:
    """Day two: alice's row holds a tenant and a sign-up record written by the app's own code, and the stack
    has been updated since."""
    outputs = deployed(api="both")
    added = cli("add-user", "--username", "alice", "--email", "alice@example.com", "--projects", "p1",
                "--password-stdin", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    clients("dynamodb").update_item(TableName=outputs["UsersTableName"], Key={"userName": {"S": "alice"}},
                                    UpdateExpression="SET tenant = :t, signup = :s",
                                    ExpressionAttributeValues={":t": {"S": "acme"}, ":s": SIGNUP})
    project.write(idTokenValidityMinutes=30)
    updated = cli("deploy", "--yes")
    assert updated.exit_code == 0, updated.output
    return outputs


def test_a_projects_change_keeps_every_other_attribute(cli: Cli, stack: dict[str, str], clients: Any) -> None:
    changed = cli("add-user", "--username", "alice", "--projects", "p2:editor,p3")
    assert changed.exit_code == 0, changed.output
    assert item(clients, stack["UsersTableName"], "alice") == {
        "userName": {"S": "alice"}, "projects": {"L": [{"S": "p2:editor"}, {"S": "p3"}]},
        "tenant": {"S": "acme"}, "signup": SIGNUP}
    listed = json.loads(cli("list-users", "--output", "json").stdout)
    assert listed[0]["projects"] == ["p2:editor", "p3"]
    assert listed[0]["attributes"] == {"tenant": "acme", "signup": {"source": "web", "at": 1700000000}}


def test_set_stores_dynamodb_types_and_unset_removes(cli: Cli, stack: dict[str, str], clients: Any) -> None:
    table = stack["UsersTableName"]
    changed = cli("add-user", "--username", "alice", "--set", "level=4", "--set", 'tags=["a","b"]', "--set",
                  "vip=true", "--set", 'prefs={"theme":"dark","size":1.5}', "--set", "department=sales",
                  "--set", 'code="007"', "--set", "ratio=0.25", "--set", "note=")  # no prompt for an existing user
    assert changed.exit_code == 0, changed.output
    assert item(clients, table, "alice") == {
        "userName": {"S": "alice"}, "projects": {"L": [{"S": "p1"}]}, "tenant": {"S": "acme"}, "signup": SIGNUP,
        "level": {"N": "4"}, "tags": {"L": [{"S": "a"}, {"S": "b"}]}, "vip": {"BOOL": True},
        "prefs": {"M": {"theme": {"S": "dark"}, "size": {"N": "1.5"}}}, "department": {"S": "sales"},
        "code": {"S": "007"}, "ratio": {"N": "0.25"}, "note": {"S": ""}}
    removed = cli("add-user", "--username", "alice", "--unset", "level", "--set", "vip=null", "--set", "level2=-3")
    assert removed.exit_code == 0, removed.output
    after = item(clients, table, "alice")
    assert "level" not in after and "vip" not in after and after["level2"] == {"N": "-3"}
    assert after["tenant"] == {"S": "acme"} and after["projects"] == {"L": [{"S": "p1"}]}

    new = cli("add-user", "--username", "bob", "--email", "bob@example.com", "--set", "department=ops",
              "--password-stdin", input=PASSWORD + "\n")
    assert new.exit_code == 0, new.output
    assert item(clients, table, "bob") == {"userName": {"S": "bob"}, "projects": {"L": []},
                                           "department": {"S": "ops"}}


DEEP = "[" * 33 + "]" * 33
REFUSED = [
    (["--set", "projects=[]"], "'projects' is managed by claimsctl"),
    (["--set", "principal=client"], "'principal' is managed by claimsctl"),
    (["--unset", "clientName"], "'clientName' is managed by claimsctl"),
    (["--unset", "userName"], "'userName' is managed by claimsctl"),
    (["--set", "bad name=1"], "attribute name 'bad name' is not valid"),
    (["--set", "level"], "'level' is not NAME=VALUE"),
    (["--set", "x=NaN"], "cannot be NaN or Infinity"),
    (["--set", "x=[a,b]"], "is not valid JSON"),
    (["--set", "x=1e200"], "38 significant digits"),
    (["--set", "x=" + "9" * 39], "38 significant digits"),
    (["--set", f"x={DEEP}"], "nested more than 32 levels"),
    (["--set", "x=1", "--unset", "x"], "named twice"),
    (["--set", "x=" + "y" * 410_000], "a DynamoDB item holds at most 400 KB"),
]


def test_bad_attributes_are_one_line_and_change_nothing(cli: Cli, stack: dict[str, str], clients: Any) -> None:
    table = stack["UsersTableName"]
    before = item(clients, table, "alice")
    for args, message in REFUSED:
        refused = cli("add-user", "--username", "alice", "--projects", "p9", *args)
        assert refused.exit_code == 2, (args, refused.output)
        assert message in " ".join(refused.output.split()) and "Traceback" not in refused.output, refused.output
    with_file = cli("add-user", "--from-file", str(Path(__file__)), "--set", "a=1")
    assert with_file.exit_code == 2 and "--from-file cannot be combined" in with_file.output
    clients("dynamodb").update_item(TableName=table, Key={"userName": {"S": "alice"}}, UpdateExpression="SET big = :b",
                                    ExpressionAttributeValues={":b": {"S": "z" * 300_000}})
    before["big"] = {"S": "z" * 300_000}
    too_big = cli("add-user", "--username", "alice", "--projects", "p9", "--set", "more=" + "w" * 200_000)
    assert too_big.exit_code == 1 and "a DynamoDB item holds at most 400 KB" in too_big.output
    assert item(clients, table, "alice") == before  # the projects are not half-changed either


def test_removing_every_project_asks_or_needs_yes(cli: Cli, stack: dict[str, str], clients: Any) -> None:
    table = stack["UsersTableName"]
    refused = cli("add-user", "--username", "alice", "--projects", "")
    assert refused.exit_code == 2 and "pass --yes to confirm" in refused.output and "(p1)" in refused.output
    assert item(clients, table, "alice")["projects"] == {"L": [{"S": "p1"}]}
    new = cli("add-user", "--username", "carol", "--email", "carol@example.com", "--projects", "",
              "--password-stdin", input=PASSWORD + "\n")  # a new user holds nothing to lose
    assert new.exit_code == 0, new.output
    confirmed = cli("add-user", "--username", "alice", "--projects", "", "--yes")
    assert confirmed.exit_code == 0, confirmed.output
    after = item(clients, table, "alice")
    assert after["projects"] == {"L": []} and after["tenant"] == {"S": "acme"}
    again = cli("add-user", "--username", "alice", "--projects", "")  # nothing left to remove: no question
    assert again.exit_code == 0, again.output


def on_a_terminal(project: Project, answer: str, *args: str) -> tuple[int, str]:
    """The CLI run with its standard input a terminal (a pty), typing `answer` at the question."""
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), *args, "--inputs", str(project.inputs_path)],
                               stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    os.close(follower)
    os.write(leader, answer.encode() + b"\n")
    output, _ = process.communicate(timeout=120)
    os.close(leader)
    return process.returncode, output.decode()


def test_on_a_terminal_removing_every_project_is_asked(project: Project, stack: dict[str, str], clients: Any) -> None:
    table = stack["UsersTableName"]
    code, output = on_a_terminal(project, "n", "add-user", "--username", "alice", "--projects", "")
    assert code == 1 and "removes every project of alice (p1)" in output and "Nothing was changed" in output
    assert item(clients, table, "alice")["projects"] == {"L": [{"S": "p1"}]}
    code, output = on_a_terminal(project, "y", "add-user", "--username", "alice", "--projects", "")
    assert code == 0, output
    assert item(clients, table, "alice")["projects"] == {"L": []}


def test_seeding_files_carry_attributes_and_keep_the_others(cli: Cli, project: Project, stack: dict[str, str],
                                                             clients: Any) -> None:
    table = stack["UsersTableName"]
    users_csv = project.root / "users.csv"
    users_csv.write_text("username,email,projects,attr.department,attr.level,attr.tenant\n"
                         'alice,alice@example.com,"p1,p2",sales,4,\n'
                         'dave,dave@example.com,p3,ops,,null\n')
    passwords = project.root / "passwords.csv"
    seeded = cli("add-user", "--from-file", str(users_csv), "--passwords-out", str(passwords))
    assert seeded.exit_code == 0, seeded.output
    assert item(clients, table, "alice") == {
        "userName": {"S": "alice"}, "projects": {"L": [{"S": "p1"}, {"S": "p2"}]}, "tenant": {"S": "acme"},
        "signup": SIGNUP, "department": {"S": "sales"}, "level": {"N": "4"}}
    assert item(clients, table, "dave") == {"userName": {"S": "dave"}, "projects": {"L": [{"S": "p3"}]},
                                            "department": {"S": "ops"}}
    again = cli("add-user", "--from-file", str(users_csv), "--passwords-out", str(passwords))
    assert "0 created, 0 updated, 2 unchanged" in again.output, again.output

    users_json = project.root / "users.json"
    users_json.write_text(json.dumps([{"username": "alice", "email": "alice@example.com", "projects": ["p1", "p2"],
                                       "attributes": {"level": 5, "department": None, "tags": ["x"]}}]))
    updated = cli("add-user", "--from-file", str(users_json), "--passwords-out", str(passwords))
    assert "1 updated" in updated.output, updated.output
    after = item(clients, table, "alice")
    assert after["level"] == {"N": "5"} and "department" not in after and after["tags"] == {"L": [{"S": "x"}]}
    assert after["tenant"] == {"S": "acme"} and after["signup"] == SIGNUP

    bad = project.root / "bad.csv"
    bad.write_text("username,email,projects,attr.projects,attr.level\nerin,erin@example.com,p1,[],NaN\n")
    refused = cli("add-user", "--from-file", str(bad), "--passwords-out", str(passwords))
    assert refused.exit_code == 1 and "'projects' is managed by claimsctl" in refused.output
    assert "nothing was written" in refused.output and item(clients, table, "erin") == {}


def test_remove_user_spares_a_client_row(cli: Cli, deployed: Deployer, project: Project, clients: Any) -> None:
    outputs = deployed(triggerVersion="V3_0", api="both")
    made = cli("add-client", "report-bot", "--projects", "p1", "--secret-out", str(project.root / "bot.json"))
    assert made.exit_code == 0, made.output
    client_id = json.loads((project.root / "bot.json").read_text())["client_id"]
    idp, table = clients("cognito-idp"), outputs["UsersTableName"]
    idp.admin_create_user(UserPoolId=outputs["UserPoolId"], Username=client_id, MessageAction="SUPPRESS")
    row = item(clients, table, client_id)
    assert row["principal"] == {"S": "client"}

    refused = cli("remove-user", client_id)
    assert refused.exit_code == 1
    assert "machine client report-bot's" in refused.output and "Nothing was changed" in refused.output
    assert idp.admin_get_user(UserPoolId=outputs["UserPoolId"], Username=client_id)["Username"] == client_id
    assert item(clients, table, client_id) == row
    written = cli("add-user", "--username", client_id, "--set", "department=x")
    assert written.exit_code == 1 and "holds machine client" in written.output
    assert item(clients, table, client_id) == row
    assert [c["name"] for c in json.loads(cli("list-clients", "--output", "json").stdout)] == ["report-bot"]


@pytest.fixture
def tenant_project(tmp_path: Path, endpoint: str) -> Any:
    """A project made by `claimsctl init --with-source` whose claims.py reads a `tenant` attribute of the row
    (docs/claims.md's worked example)."""
    with source_project(tmp_path / "app", "rows") as (cli, folder):
        claims_file = folder / "lambda_src" / "claims.py"
        claims_file.write_text(claims_file.read_text() + TENANT_CLAIM)
        yield cli


def test_a_claims_py_reading_the_row_still_sees_it_after_a_projects_change(tenant_project: Any) -> None:
    cli = tenant_project
    assert cli("deploy", "--yes").exit_code == 0
    added = cli("add-user", "--username", "ann", "--email", "ann@example.com", "--projects", "p1", "--set",
                "tenant=acme", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.exit_code == 0, added.output

    def claims() -> dict[str, Any]:
        login = cli("login", "ann", "--password-stdin", "--output", "json", stdin=PASSWORD + "\n")
        assert login.exit_code == 0, login.output
        return json.loads(login.stdout)["access_token"]  # type: ignore[no-any-return]

    assert claims()["tenant"] == "acme"
    assert cli("add-user", "--username", "ann", "--projects", "p2:editor").exit_code == 0
    after = claims()
    assert after["tenant"] == "acme" and after["projects"] == ["p2:editor"]
    explained = json.loads(cli("explain", "ann", "--request", "GET /projects/board/items", "--output", "json").stdout)
    assert explained["claims"]["tenant"] == "acme" and explained["decision"] == "allow"
    assert cli("add-user", "--username", "ann", "--unset", "tenant").exit_code == 0
    assert "tenant" not in claims()


def test_a_failure_after_the_row_was_written_says_what_was_applied(cli: Cli, stack: dict[str, str],
                                                                   clients: Any) -> None:
    weak = cli("add-user", "--username", "alice", "--projects", "p2", "--password-stdin", input="short\n")
    assert weak.exit_code == 1 and "Traceback" not in weak.output
    assert "rejected the password" in weak.output and "were changed already" in weak.output, weak.output
    assert item(clients, stack["UsersTableName"], "alice")["projects"] == {"L": [{"S": "p2"}]}
    again = cli("add-user", "--username", "alice", "--projects", "p2", "--password-stdin", input=PASSWORD + "\n")
    assert again.exit_code == 0, again.output
