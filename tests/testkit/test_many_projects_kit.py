"""The test kit with thousands of projects (issue 30): it makes a 3,000-project principal in one call, says
which way each principal goes, and one token of it is answered right by both designs across routes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from claimsctl.testing import ClaimsStack
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
MANY = [f"project-{n:04d}" + (":editor" if n % 2 else "") for n in range(3000)]  # a row of about 90 KB


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClaimsStack]:
    folder = tmp_path_factory.mktemp("many")
    made = subprocess.run([sys.executable, str(ROOT / "cli.py"), "init", "app"], cwd=folder, capture_output=True,
                          text=True, timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    opened = ClaimsStack(Path(folder / "app")).open()
    yield opened
    opened.close()


def test_a_3000_project_user_goes_by_lookup_and_one_token_is_answered_right(stack: ClaimsStack) -> None:
    many = stack.user(projects=MANY)
    assert many.way == "lookup"
    report = many.header_report()
    assert report["way"] == "lookup" and report["token_bytes"] < 8192 and all(x["fits"] for x in report["limits"])
    for design in ("", "/standard"):
        assert stack.call("GET", f"{design}/projects/project-0000/items", many).status == 200
        assert stack.call("POST", f"{design}/projects/project-0000/items", many, json={"title": "t"}).status == 403
        assert stack.call("POST", f"{design}/projects/project-2999/items", many, json={"title": "t"}).status == 201
        assert stack.call("GET", f"{design}/projects/project-3000/items", many).status == 403
        assert stack.call("DELETE", f"{design}/projects/project-2999/items/i1", many).status == 403


def test_a_few_projects_go_by_token_with_todays_claim(stack: ClaimsStack) -> None:
    few = stack.user(projects=["p1", "p2:editor"])
    assert few.way == "token" and few.claims["projects"] == "p1,p2:editor"
    assert few.header_report()["header_bytes"] < 2048
