"""Upgrading a copied project, as a user does it: `claimsctl init --with-source` on an existing folder adds
only what it lacks; `claimsctl upgrade-source [--dry-run]` brings the copied templates and handlers forward,
replacing only what the user has not changed (docs/decisions.md, "Upgrading a copied project")."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from claimsctl import sourcerecord
from claimsctl.testing.example import EXAMPLE_TEST
from cli import main
from tests.conftest import ROOT, unique

OLD_AUTHORIZER = b"# the authorizer as an older claimsctl shipped it\n"
OLD_API = b"# templates/partials/api.yaml.j2 as an older claimsctl shipped it\n"
OLD_CLAIMS = b"# claims.py as an older claimsctl shipped it\n"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def upgrade(app: Path, *args: str) -> Result:
    return run("upgrade-source", *args, "--inputs", str(app / "stackInputs.json"))


def snapshot(folder: Path) -> dict[str, Any]:
    """Every entry under `folder`: a file's bytes, a link's target."""
    return {path.relative_to(folder).as_posix(): os.readlink(path) if path.is_symlink() else path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_symlink() or path.is_file()}


def record_of(app: Path) -> dict[str, Any]:
    return json.loads((app / sourcerecord.RECORD).read_text())  # type: ignore[no-any-return]


def as_older_copy(app: Path, relative: str, content: bytes) -> None:
    """The file as an older claimsctl shipped it, and the record saying so (as init would have written it)."""
    (app / relative).write_bytes(content)
    record = record_of(app)
    record["copied"][relative] = hashlib.sha256(content).hexdigest()
    if relative.startswith("lambda_src/") and relative.endswith(".py"):
        record["files"][relative.removeprefix("lambda_src/")] = hashlib.sha256(content).hexdigest()
    (app / sourcerecord.RECORD).write_text(json.dumps(record))


def shipped(relative: str) -> bytes:
    return sourcerecord.shipped()[relative].read_bytes()


def one_line(output: str) -> str:
    return " ".join(output.split())


@pytest.fixture
def app(tmp_path: Path) -> Path:
    made = run("init", str(tmp_path / "app"), "--with-source")
    assert made.exit_code == 0, made.output
    return tmp_path / "app"


def test_init_on_an_existing_project_adds_only_what_it_lacks(app: Path) -> None:
    (app / "stackInputs.json").write_text('{"stackName": "mine"}')
    (app / "lambda_src" / "items.py").write_text("# mine\n")
    (app / "templates" / "partials" / "web.yaml.j2").unlink()
    (app / "tests" / "test_claims.py").unlink()
    again = run("init", str(app), "--with-source")
    assert again.exit_code == 0, again.output
    assert (app / "templates" / "partials" / "web.yaml.j2").read_bytes() == shipped("templates/partials/web.yaml.j2")
    assert (app / "tests" / "test_claims.py").read_text() == EXAMPLE_TEST
    assert (app / "stackInputs.json").read_text() == '{"stackName": "mine"}'  # never overwritten
    assert (app / "lambda_src" / "items.py").read_text() == "# mine\n"
    said = one_line(again.output)
    assert f"Wrote {app}/templates/partials/web.yaml.j2" in said and f"Wrote {app}/tests/test_claims.py" in said
    assert f"Kept {app}/stackInputs.json (there already; init never overwrites" in said
    assert f"Kept {app}/lambda_src/ (there already" in said and "claimsctl upgrade-source --dry-run" in said
    assert "Traceback" not in again.output
    assert record_of(app)["copied"]["templates/partials/web.yaml.j2"] == hashlib.sha256(
        shipped("templates/partials/web.yaml.j2")).hexdigest()


def test_init_never_writes_through_a_link(app: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (app / "tests" / "test_claims.py").unlink()
    (app / "tests").rmdir()
    (app / "tests").symlink_to(elsewhere, target_is_directory=True)
    again = run("init", str(app))
    assert again.exit_code == 0, again.output
    assert list(elsewhere.iterdir()) == [] and f"Kept {app}/tests/test_claims.py" in one_line(again.output)


def test_upgrade_replaces_only_unchanged_files_and_names_what_it_keeps(app: Path, tmp_path: Path) -> None:
    as_older_copy(app, "lambda_src/authorizer.py", OLD_AUTHORIZER)  # unchanged by the user since the copy
    as_older_copy(app, "templates/partials/api.yaml.j2", OLD_API)
    as_older_copy(app, "lambda_src/claims.py", OLD_CLAIMS)  # unchanged too, but always the user's
    (app / "lambda_src" / "item_store.py").write_text(shipped("lambda_src/item_store.py").decode() + "# by hand\n")
    record = record_of(app)  # a file new in this claimsctl: the older copy has none, and no record of one
    del record["copied"]["templates/partials/tags_list.yaml.j2"]
    (app / sourcerecord.RECORD).write_text(json.dumps(record))
    (app / "templates" / "partials" / "tags_list.yaml.j2").unlink()
    (app / "lambda_src" / "check_user_access.py").unlink()  # removed on purpose: its record stays
    outside = tmp_path / "outside.py"
    outside.write_bytes(OLD_AUTHORIZER)
    (app / "lambda_src" / "router.py").unlink()
    (app / "lambda_src" / "router.py").symlink_to(outside)
    as_older_copy(app, "lambda_src/router.py", OLD_AUTHORIZER)  # a link, even where unchanged
    before = snapshot(app)

    planned = upgrade(app, "--dry-run")
    assert planned.exit_code == 0, planned.output
    assert snapshot(app) == before and outside.read_bytes() == OLD_AUTHORIZER  # the dry run changes nothing
    lines = {" ".join(line.split()[:2]): line for line in planned.output.splitlines() if line.startswith("  ")}
    assert set(lines) == {"replace lambda_src/authorizer.py", "replace templates/partials/api.yaml.j2",
                          "add templates/partials/tags_list.yaml.j2", "keep lambda_src/claims.py",
                          "keep lambda_src/item_store.py", "keep lambda_src/check_user_access.py",
                          "keep lambda_src/router.py"}
    assert "changed since the copy" in lines["keep lambda_src/item_store.py"]
    assert "never replaced" in lines["keep lambda_src/claims.py"]
    assert "removed since the copy" in lines["keep lambda_src/check_user_access.py"]
    assert "a link" in lines["keep lambda_src/router.py"]
    assert "Dry run: nothing was changed" in planned.output

    applied = upgrade(app)
    assert applied.exit_code == 0, applied.output
    said = one_line(applied.output)
    assert "keep lambda_src/item_store.py (changed since the copy" in said and "keep lambda_src/claims.py" in said
    assert "Done: 3 file(s) added, replaced or retired" in said
    for relative in ("lambda_src/authorizer.py", "templates/partials/api.yaml.j2", "templates/partials/tags_list.yaml.j2"):
        assert (app / relative).read_bytes() == shipped(relative), relative
    assert (app / "lambda_src" / "claims.py").read_bytes() == OLD_CLAIMS
    assert (app / "lambda_src" / "item_store.py").read_text().endswith("# by hand\n")
    assert not (app / "lambda_src" / "check_user_access.py").exists()
    assert (app / "lambda_src" / "router.py").is_symlink() and outside.read_bytes() == OLD_AUTHORIZER
    after = record_of(app)["copied"]
    assert after["lambda_src/authorizer.py"] == hashlib.sha256(shipped("lambda_src/authorizer.py")).hexdigest()
    assert after["lambda_src/claims.py"] == hashlib.sha256(OLD_CLAIMS).hexdigest()  # still the older one's
    assert "lambda_src/check_user_access.py" in after  # so it stays removed
    again = upgrade(app, "--dry-run")
    assert "0 to change, 4 kept" in again.output
    assert not [line for line in again.output.splitlines() if line.startswith(("  replace", "  add"))]


def test_a_copy_made_before_the_seam_is_refused_at_deploy_naming_upgrade_source_then_deploys(
        tmp_path: Path, endpoint: str) -> None:
    added = subprocess.run(["git", "log", "--format=%H", "--diff-filter=A", "--", "lambda_src/claims.py"], cwd=ROOT,
                           capture_output=True, text=True, check=False).stdout.split()
    if not added:
        pytest.skip("needs the checkout's git history (the handlers an older claimsctl shipped)")
    app = tmp_path / "old"
    app.mkdir()
    archive = subprocess.run(["git", "archive", f"{added[-1]}~1", "lambda_src", "templates"], cwd=ROOT,
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(app)], input=archive, check=True)
    assert not (app / "lambda_src" / "claims.py").exists()  # an older copy, made before any record
    name = unique("old")
    inputs = {**json.loads((ROOT / "stackInputs.json").read_text()), "stackName": name, "userPoolName": name,
              "userPoolDomainName": name, "usersTableName": f"{name}-users", "web": {"hosting": "none"}}
    (app / "stackInputs.json").write_text(json.dumps(inputs))
    inputs_arg = ("--inputs", str(app / "stackInputs.json"))
    refused = run("deploy", "--yes", *inputs_arg)
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "Run `claimsctl upgrade-source` in the project folder" in one_line(refused.output)
    planned = upgrade(app, "--dry-run")
    assert "no record of the copy" in planned.output and "add lambda_src/claims.py" in one_line(planned.output)
    assert "replace lambda_src/authorizer.py (unchanged since the copy)" in one_line(planned.output)
    assert "retire lambda_src/project_items.py (claimsctl no longer ships it" in one_line(planned.output)
    old_handler = (app / "lambda_src" / "project_items.py").read_bytes()
    assert upgrade(app).exit_code == 0
    assert not (app / "lambda_src" / "project_items.py").exists()  # moved out of what deploy packages, not lost
    assert (app / ".claimsctl-retired" / "lambda_src" / "project_items.py").read_bytes() == old_handler
    try:
        deployed = run("deploy", "--yes", *inputs_arg)
        assert deployed.exit_code == 0, deployed.output
    finally:
        run("teardown", "--yes", *inputs_arg)


def test_an_upgrade_reaches_a_deployed_stack_as_an_update(app: Path, clients: Any) -> None:
    """Day two: a stack deployed from an older copy of the trigger, upgraded, deployed again."""
    trigger = "lambda_src/pre_token_generation.py"
    as_older_copy(app, trigger, shipped(trigger) + b"\n# as an older claimsctl shipped it\n")
    name = unique("upg")
    inputs = {**json.loads((app / "stackInputs.json").read_text()), "stackName": name, "userPoolName": name,
              "userPoolDomainName": name, "usersTableName": f"{name}-users"}
    (app / "stackInputs.json").write_text(json.dumps(inputs))
    inputs_arg = ("--inputs", str(app / "stackInputs.json"))
    lam = clients("lambda")
    try:
        first = run("deploy", "--yes", "--output", "json", *inputs_arg)
        assert first.exit_code == 0, first.output
        function = json.loads(first.stdout)["outputs"]["TriggerFunctionName"]
        before = lam.get_function(FunctionName=function)["Configuration"]["CodeSha256"]
        warned = one_line(first.output)  # deploy says the shipped trigger moved on, and what to run
        assert "the shipped pre_token_generation.py changed since" in warned
        assert "`claimsctl upgrade-source --dry-run` shows what it would bring forward" in warned
        assert upgrade(app).exit_code == 0 and (app / trigger).read_bytes() == shipped(trigger)
        second = run("deploy", "--yes", "--output", "json", *inputs_arg)
        assert second.exit_code == 0, second.output
        assert json.loads(second.stdout)["status"] == "updated"
        assert "upgrade-source" not in second.output  # the copy is current now
        assert lam.get_function(FunctionName=function)["Configuration"]["CodeSha256"] != before
    finally:
        run("teardown", "--yes", *inputs_arg)


@pytest.mark.parametrize(("record", "problem"), [
    ({"claimsctl": "0.1.0", "copied": {"../../outside.py": "0" * 64}}, "'../../outside.py', which is not a file under"),
    ({"claimsctl": "0.1.0", "copied": {"/etc/passwd": "0" * 64}}, "'/etc/passwd', which is not a file under"),
    ({"claimsctl": "0.1.0", "copied": {"lambda_src/../../x.py": "0" * 64}}, "which is not a file under"),
    ({"claimsctl": "0.1.0", "files": {"../x.py": "0" * 64}}, "'lambda_src/../x.py', which is not a file under"),
    ({"claimsctl": "0.1.0", "copied": {"lambda_src/items.py": "not a hash"}}, "the hash of lambda_src/items.py"),
    (["not", "an", "object"], "not a JSON object"),
])
def test_a_hostile_record_is_refused_in_one_line_and_nothing_changes(app: Path, record: Any, problem: str) -> None:
    as_older_copy(app, "lambda_src/authorizer.py", OLD_AUTHORIZER)
    (app / sourcerecord.RECORD).write_text(json.dumps(record))
    before = snapshot(app.parent)
    for refused in (upgrade(app), run("init", str(app), "--with-source")):
        assert refused.exit_code == 1 and "Traceback" not in refused.output, refused.output
        assert refused.output.startswith("Error: ") and len(refused.output.strip().splitlines()) == 1
        assert problem in refused.output and "Remove" in refused.output
        assert snapshot(app.parent) == before


def test_a_record_that_is_a_link_or_too_large_is_refused(app: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"claimsctl": "x", "copied": {}}))
    (app / sourcerecord.RECORD).unlink()
    (app / sourcerecord.RECORD).symlink_to(secret)
    refused = upgrade(app)
    assert refused.exit_code == 1 and "is not a regular file" in one_line(refused.output)
    (app / sourcerecord.RECORD).unlink()
    (app / sourcerecord.RECORD).write_bytes(b" " * (sourcerecord.MAX_RECORD + 10))
    refused = upgrade(app)
    assert refused.exit_code == 1 and f"larger than {sourcerecord.MAX_RECORD} bytes" in one_line(refused.output)


def test_a_project_on_the_shipped_sources_has_nothing_to_upgrade(tmp_path: Path) -> None:
    assert run("init", str(tmp_path / "plain")).exit_code == 0
    said = upgrade(tmp_path / "plain")
    assert said.exit_code == 0 and "Nothing to upgrade" in one_line(said.output)
    assert not (tmp_path / "plain" / "lambda_src").exists()
    missing = upgrade(tmp_path / "nowhere")
    assert missing.exit_code == 1 and "No project at" in one_line(missing.output)
