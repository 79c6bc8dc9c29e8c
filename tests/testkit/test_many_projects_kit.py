"""The test kit with thousands of projects (issue 30): it makes a 3,000-project principal in one call, says
which way each principal goes, and one token of it is answered right by both designs across routes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from claimsctl.testing import ClaimsStack
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
MANY = [f"project-{n:04d}" + (":editor" if n % 2 else "") for n in range(3000)]  # a row of about 90 KB


def project(folder: Path, **changes: str) -> Path:
    made = subprocess.run([sys.executable, str(ROOT / "cli.py"), "init", "app"], cwd=folder, capture_output=True,
                          text=True, timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    inputs = folder / "app" / "stackInputs.json"
    inputs.write_text(json.dumps({**json.loads(inputs.read_text()), **changes}))
    return folder / "app"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClaimsStack]:
    opened = ClaimsStack(project(tmp_path_factory.mktemp("many"))).open()
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


def test_a_machine_client_of_3000_projects_goes_by_lookup_in_a_v3_project(tmp_path: Path) -> None:
    v3 = ClaimsStack(project(tmp_path, triggerVersion="V3_0")).open()
    try:
        bot = v3.client(projects=MANY)
        assert bot.way == "lookup" and bot.claims["claimsctl:lookup"] == "row" and bot.claims["projects"] == []
        for design in ("", "/standard"):
            assert v3.call("GET", f"{design}/projects/project-0000/items", bot).status == 200
            assert v3.call("POST", f"{design}/projects/project-0001/items", bot, json={"title": "t"}).status == 201
            assert v3.call("POST", f"{design}/projects/project-0000/items", bot, json={"title": "t"}).status == 403
            assert v3.call("GET", f"{design}/projects/elsewhere/items", bot).status == 403
    finally:
        v3.close()
