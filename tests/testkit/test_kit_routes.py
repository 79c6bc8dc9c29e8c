"""The test kit calls a declared route like any other (issue 29): a project made by `claimsctl init --with-source`
gains docs/api.md's route, handler and rule, and its own test drives the route through claims_stack in both
designs, run by pytest in a process of its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.testkit.test_plugin import pytest_in

pytestmark = pytest.mark.slow

REPORTS_TEST = '''
def test_editors_file_reports_and_viewers_may_not(claims_stack):
    ed = claims_stack.user(projects=["p1:editor"])
    vera = claims_stack.user(projects=["p1"])
    for design in ("", "/standard"):
        made = claims_stack.call("POST", design + "/projects/p1/reports", ed, json={"title": "Q3"})
        assert made.status == 201 and made.json == {"projectId": "p1", "title": "Q3", "by": ed.name}
        assert claims_stack.call("POST", design + "/projects/p1/reports", vera, json={"title": "Q3"}).status == 403
        failed = claims_stack.call("POST", design + "/projects/p1/reports", ed, json={})
        assert failed.status == 500 and failed.json == {"message": "Internal server error"}
'''


def test_the_kit_calls_a_declared_route(tmp_path: Path) -> None:
    from tests.e2e.test_own_routes import follow_the_doc

    made = subprocess.run([sys.executable, str(ROOT / "cli.py"), "init", "app", "--with-source"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "app"
    follow_the_doc(project)
    (project / "tests" / "test_reports.py").write_text(REPORTS_TEST)
    result = pytest_in(project, "tests/test_reports.py")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
