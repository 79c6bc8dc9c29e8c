"""The test kit keeps what rows hold (issue 27), as its users run it: in a project made by `claimsctl init
--with-source` whose claims.py reads a `tenant` attribute of the row (docs/claims.md's worked example), with
triggerVersion V3_0, `.user(row=...)`, `.set_projects` and `.set_row` on users and machine clients, run by
pytest in a process of its own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.e2e.test_claims_seam import TENANT_CLAIM
from tests.testkit.test_plugin import pytest_in

pytestmark = pytest.mark.slow

ROWS = '''
"""Row attributes through the kit: they reach the claims, outlive a change of projects, and go with the test."""
import pytest


def stored(stack, key):
    return stack.aws.client("dynamodb").get_item(TableName=stack.outputs["UsersTableName"],
                                                 Key={"userName": {"S": key}}, ConsistentRead=True)["Item"]


def test_a_row_attribute_reaches_the_claims_and_outlives_a_projects_change(claims_stack):
    ann = claims_stack.user(projects=["p1"], row={"tenant": "acme", "department": "sales", "level": 4})
    assert ann.claims["tenant"] == "acme"
    assert claims_stack.call("GET", "/projects/board/items", ann).status == 200
    claims_stack.set_projects(ann, ["p2:editor"])
    ann.refresh()
    assert ann.claims["tenant"] == "acme" and "p2:editor" in str(ann.claims["projects"])
    row = stored(claims_stack, ann.name)
    assert row["department"] == {"S": "sales"} and row["level"] == {"N": "4"}
    claims_stack.set_row(ann, tenant="globex", tags=["a"])
    ann.refresh()
    assert ann.claims["tenant"] == "globex"
    assert claims_stack.call("GET", "/projects/board/items", ann).status == 403
    claims_stack.set_row(ann, tenant=None)
    ann.refresh()
    assert "tenant" not in ann.claims
    row = stored(claims_stack, ann.name)
    assert "tenant" not in row and row["tags"] == {"L": [{"S": "a"}]}
    assert row["projects"] == {"L": [{"S": "p2:editor"}]} and row["department"] == {"S": "sales"}


def test_a_machine_client_keeps_its_marker_and_attributes(claims_stack):
    bot = claims_stack.client(projects=["p1"])
    claims_stack.set_row(bot, tenant="acme")
    claims_stack.set_projects(bot, ["p3"])
    bot.refresh()
    assert bot.claims["tenant"] == "acme" and bot.claims["projects"] == ["p3"]
    row = stored(claims_stack, bot.client_id)
    assert row["principal"] == {"S": "client"} and row["clientName"] == {"S": bot.name}


def test_what_claimsctl_manages_or_dynamodb_refuses_is_refused(claims_stack):
    ann = claims_stack.user()
    with pytest.raises(ValueError, match="managed by claimsctl"):
        claims_stack.set_row(ann, projects=["p1"])
    with pytest.raises(ValueError, match="managed by claimsctl"):
        claims_stack.user(row={"principal": "client"})
    with pytest.raises(ValueError, match="no empty set"):
        claims_stack.set_row(ann, tags=set())
    with pytest.raises(ValueError, match="NaN"):
        claims_stack.set_row(ann, ratio=float("nan"))


def test_the_next_test_finds_the_rows_as_deploy_left_them(claims_stack):
    assert claims_stack.aws.client("dynamodb").scan(TableName=claims_stack.outputs["UsersTableName"])["Items"] == []
'''


def test_rows_keep_what_they_hold_through_the_kit(tmp_path: Path) -> None:
    made = subprocess.run([sys.executable, str(ROOT / "cli.py"), "init", "app", "--with-source"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "app"
    inputs = json.loads((project / "stackInputs.json").read_text())
    (project / "stackInputs.json").write_text(json.dumps({**inputs, "triggerVersion": "V3_0", "api": "both"}))
    claims_file = project / "lambda_src" / "claims.py"
    claims_file.write_text(claims_file.read_text() + TENANT_CLAIM)
    (project / "tests" / "test_rows.py").write_text(ROWS + "\n\n" + doc_example())
    result = pytest_in(project, "tests/test_rows.py")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "5 passed" in result.stdout


def doc_example() -> str:
    """docs/testing.md's row-attributes example, as the page shows it."""
    page = (ROOT / "docs" / "testing.md").read_text()
    after = page.split("**Row attributes.**", 1)[1]
    return after.split("```python\n", 1)[1].split("```", 1)[0]
