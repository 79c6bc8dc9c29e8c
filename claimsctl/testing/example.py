"""The example test `claimsctl init` writes to a new project's tests/test_claims.py."""

EXAMPLE_TEST = '''"""This project's claims, tested with real tokens: claimsctl's pytest plugin deploys the project on a
local emulator of the test session's own and offers it as the `claims_stack` fixture (docs: claimsctl's
docs/testing.md). Each test's users and rows are gone before the next.

Run:  pip install 'claimsctl[local]' pytest  &&  pytest
"""


def test_a_viewer_reads_its_project_and_nothing_more(claims_stack):
    vera = claims_stack.user(projects=["p1"])  # a project without a role: viewer
    assert claims_stack.call("GET", "/projects/p1/items", vera).status == 200
    assert claims_stack.call("POST", "/projects/p1/items", vera, json={"title": "x"}).status == 403
    assert claims_stack.call("GET", "/projects/p2/items", vera).status == 403


def test_an_editor_creates_items_in_both_designs(claims_stack):
    ed = claims_stack.user(projects=["p1:editor"])
    for design in ("", "/standard"):
        created = claims_stack.call("POST", design + "/projects/p1/items", ed, json={"title": "first"})
        assert created.status == 201 and created.json["title"] == "first"


def test_the_claim_is_in_the_token_the_api_takes(claims_stack):
    olga = claims_stack.user(projects=["p1:owner", "p2"])
    claim = olga.claims["projects"]  # a comma-separated string with triggerVersion V1_0, a list with V2_0/V3_0
    assert sorted(claim.split(",") if isinstance(claim, str) else claim) == ["p1:owner", "p2"]


def test_a_refresh_after_a_change_carries_the_new_projects(claims_stack):
    rita = claims_stack.user(projects=["p1"])
    claims_stack.set_projects(rita, ["p2"])
    assert claims_stack.call("GET", "/standard/projects/p1/items", rita).status == 403  # reads the row: at once
    assert claims_stack.call("GET", "/projects/p1/items", rita).status == 200  # the token's snapshot
    rita.refresh()
    assert claims_stack.call("GET", "/projects/p1/items", rita).status == 403
    assert claims_stack.call("GET", "/projects/p2/items", rita).status == 200
'''
