"""The lookup past the claim budget (issue 30): the authorizer reads the row once per marked token and answers
a bounded policy; the collapse keeps every allowed route covered; a fitting token is unchanged."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest
from botocore.stub import Stubber

from claimsctl_runtime import claiming, lookup
from claimsctl_runtime.routes import Route, allowing
from tests.unit.test_lambda_api_handlers import BASE, authorizer, event_with, lambda_env, resources  # noqa: F401
from tests.unit.test_tokens import claims, sign

GRANTS = [f"proj-{n:04d}" + (":editor" if n % 3 == 0 else ":owner" if n % 7 == 0 else "") for n in range(3000)]


def test_the_collapse_covers_every_route_in_one_resource_per_method_and_depth() -> None:
    allowed = [Route("GET", f"/projects/p{n}/items") for n in range(50)] + [Route("POST", "/projects/p1/items"),
                                                                           Route("DELETE", "/projects/p2/items/*")]
    collapsed = lookup.policy_routes(allowed)
    assert collapsed == [Route("GET", "/projects/*/items"), Route("POST", "/projects/p1/items"),
                         Route("DELETE", "/projects/p2/items/*")]
    assert all(allowing(collapsed, r.method, r.path.replace("*", "x")) for r in allowed)
    many_shapes = [Route("GET", "/" + "/".join(["a"] * depth)) for depth in range(1, 30)]
    assert lookup.policy_routes(many_shapes) == [Route("GET", "/*")]  # past the bound, one per method


def test_only_a_claim_past_the_budget_marks_the_token() -> None:
    few = claiming.token_claims("u", "2", {"projects": GRANTS[:10]})
    assert few == {"projects": GRANTS[:10]} and lookup.way(few) == "token"
    many = claiming.token_claims("u", "1", {"projects": GRANTS, "tenant": "acme"})
    assert many == {"projects": "", "tenant": "acme", "claimsctl:lookup": "row"} and lookup.way(many) == "lookup"
    assert claiming.checked("u", {"claimsctl:lookup": "row"}) == {}  # claims_for cannot set the marker


def stub_row(authorizer: ModuleType, item: dict[str, Any], times: int = 1) -> Stubber:  # noqa: F811
    import boto3

    authorizer._DYNAMODB = boto3.client("dynamodb", region_name="us-east-1")
    stubber = Stubber(authorizer._DYNAMODB)
    for _ in range(times):
        stubber.add_response("get_item", {"Item": item}, {"TableName": "users", "Key": {"userName": {"S": "alice"}}})
    stubber.activate()
    return stubber


def test_a_marked_token_is_decided_from_the_row_in_a_bounded_policy(authorizer: ModuleType,  # noqa: F811
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USERS_TABLE", "users")
    stubber = stub_row(authorizer, {"userName": {"S": "alice"}, "projects": {"L": [{"S": g} for g in GRANTS]}}, 2)
    marked = sign(claims(projects="", **{"claimsctl:lookup": "row"}))
    result = authorizer.handler(event_with(marked), None)
    assert resources(result) == [f"{BASE}/GET/projects/*/items", f"{BASE}/POST/projects/*/items",
                                 f"{BASE}/DELETE/projects/*/items/*"]
    assert lookup.policy_bytes({k: v for k, v in result.items() if k != "context"}) < 1024
    assert json.loads(result["context"]["claims"])["projects"] == ",".join(sorted(GRANTS))
    again = authorizer.handler(event_with(marked), None)  # never kept per worker: the row is read again
    assert resources(again) == resources(result)
    stubber.assert_no_pending_responses()


def test_a_marked_token_without_a_row_is_denied(authorizer: ModuleType,  # noqa: F811
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USERS_TABLE", "users")
    import boto3

    authorizer._DYNAMODB = boto3.client("dynamodb", region_name="us-east-1")
    stubber = Stubber(authorizer._DYNAMODB)
    stubber.add_response("get_item", {}, {"TableName": "users", "Key": {"userName": {"S": "alice"}}})
    stubber.activate()
    result = authorizer.handler(event_with(sign(claims(projects="", **{"claimsctl:lookup": "row"}))), None)
    assert result["policyDocument"]["Statement"][0]["Effect"] == "Deny"


def test_an_authorizer_without_the_users_table_denies_a_marked_token_with_one_line(
        authorizer: ModuleType, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    monkeypatch.delenv("USERS_TABLE", raising=False)
    result = authorizer.handler(event_with(sign(claims(projects="", **{"claimsctl:lookup": "row"}))), None)
    assert result["policyDocument"]["Statement"][0]["Effect"] == "Deny"
    assert any("lookup_unavailable" in r.getMessage() for r in caplog.records)
