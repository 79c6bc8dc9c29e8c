"""The API's handlers on real event JSON: the authorizer's policy from claims.routes_for (roles per project,
one policy for every route and method), and the items function's second check of the same routes."""

from __future__ import annotations

import copy
import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from claimsctl import apiroutes
from claimsctl_runtime import tokens
from tests.conftest import ROOT
from tests.unit.test_tokens import CLIENT, POOL, FakeJwks, claims, sign

EVENTS = Path(__file__).with_name("events")
BASE = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod"
ROUTES = json.dumps(apiroutes.route_table(apiroutes.SHIPPED))  # what the template gives the router


def load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())  # type: ignore[no-any-return]


@pytest.fixture
def lambda_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The functions as Lambda runs them: lambda_src on the path, claimsctl_runtime importable beside it."""
    for key, value in {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "t",
                       "AWS_SECRET_ACCESS_KEY": "t", "USER_POOL_ID": POOL, "CLIENT_ID": CLIENT, "TOKEN_USE": "id",
                       "ITEMS_TABLE": "items", "CLAIM_NAME": "projects", "ROUTES": ROUTES}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.syspath_prepend(str(ROOT / "lambda_src"))
    yield
    for name in ("authorizer", "router", "item_routes", "item_store", "claims", "check_user_access"):
        sys.modules.pop(name, None)


@pytest.fixture
def authorizer(lambda_env: None) -> ModuleType:
    module = importlib.import_module("authorizer")
    module._VERIFIER.jwks = tokens.JwksCache(fetch=FakeJwks())
    return module


def event_with(token: str) -> dict[str, Any]:
    event = load("authorizer_token.json")
    event["authorizationToken"] = f"Bearer {token}"
    return event


def resources(result: dict[str, Any]) -> list[str]:
    return result["policyDocument"]["Statement"][0]["Resource"]  # type: ignore[no-any-return]


def test_viewers_get_exactly_todays_policy(authorizer: ModuleType) -> None:
    result = authorizer.handler(event_with(sign(claims(projects="p2,p1"))), None)
    assert result["principalId"] == "u1" and result["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    assert resources(result) == [f"{BASE}/GET/projects/p1/items", f"{BASE}/GET/projects/p2/items"]
    assert result["context"] == {"username": "alice", "claims": '{"projects":"p2,p1"}'}


def test_routes_for_sees_what_claims_for_added_as_the_router_does(authorizer: ModuleType,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, Any]] = []
    shipped = authorizer.claims.routes_for
    monkeypatch.setattr(authorizer.claims, "routes_for", lambda found: seen.append(found) or shipped(found))
    authorizer.handler(event_with(sign(claims(projects="p7"))), None)
    assert seen == [{"projects": "p7"}]  # no sub, no token_use: the claims the router re-checks with


def test_each_role_adds_its_routes_in_one_policy(authorizer: ModuleType) -> None:
    result = authorizer.handler(event_with(sign(claims(projects=["a:owner", "b:editor", "c"]))), None)
    assert resources(result) == [
        f"{BASE}/GET/projects/a/items", f"{BASE}/POST/projects/a/items", f"{BASE}/DELETE/projects/a/items/*",
        f"{BASE}/GET/projects/b/items", f"{BASE}/POST/projects/b/items", f"{BASE}/GET/projects/c/items"]


@pytest.mark.parametrize("claim", ["p1:owner,p2", "p1:admin", "*", "p1:*", "p*", "p1/x", "p1:owner:x", ":owner"])
def test_a_hostile_claim_element_widens_nothing(authorizer: ModuleType, claim: str) -> None:
    """One list element must be one whole id with a known role: anything else is dropped, never split."""
    result = authorizer.handler(event_with(sign(claims(projects=[claim]))), None)
    assert result["policyDocument"]["Statement"][0]["Effect"] == "Deny" and resources(result) == [f"{BASE}/*"]


@pytest.mark.parametrize("claim", ["*", "p*,p1", "p1/x,p2", "p1:*", "p1:admin,p2"])
def test_no_wildcard_or_separator_reaches_a_policy_arn(authorizer: ModuleType, claim: str) -> None:
    for arn in resources(authorizer.handler(event_with(sign(claims(projects=claim))), None)):
        assert arn == f"{BASE}/*" or arn in (f"{BASE}/GET/projects/p1/items", f"{BASE}/GET/projects/p2/items")


def test_no_projects_denies_everything(authorizer: ModuleType) -> None:
    statement = authorizer.handler(event_with(sign(claims(projects=""))), None)["policyDocument"]["Statement"][0]
    assert statement["Effect"] == "Deny"
    assert statement["Resource"] == [f"{BASE}/*"]


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c"])
def test_a_bad_token_is_unauthorized(authorizer: ModuleType, token: str) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorizer.handler(event_with(token), None)


def test_an_access_token_is_refused_when_the_api_expects_id_tokens(authorizer: ModuleType) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorizer.handler(event_with(sign(claims(token_use="access", aud=None, client_id=CLIENT))), None)


def test_the_router_checks_the_routes_again(lambda_env: None) -> None:
    router = importlib.import_module("router")
    item_store = importlib.import_module("item_store")  # the router imports a handler's module on first use
    stubber = Stubber(item_store._DYNAMODB)
    stubber.add_response("query", {"Items": [{"projectId": {"S": "p1"}, "itemId": {"S": "i1"}}]},
                         {"TableName": "items", "KeyConditionExpression": "projectId = :project",
                          "ExpressionAttributeValues": {":project": {"S": "p1"}}, "Limit": 100})
    stubber.add_response("put_item", {}, {"TableName": "items", "Item": ANY, "ConditionExpression": ANY})
    stubber.activate()
    event = load("proxy_get_items.json")  # the context's claims: viewer on p1, owner of p2
    ok = router.optimized(event, None)
    assert ok["statusCode"] == 200
    assert json.loads(ok["body"]) == {"projectId": "p1", "items": [{"projectId": "p1", "itemId": "i1"}]}
    other = copy.deepcopy(event)
    other["pathParameters"]["projectId"], other["path"] = "p9", "/projects/p9/items"
    assert router.optimized(other, None)["statusCode"] == 403
    post = copy.deepcopy(event)
    post["httpMethod"], post["body"] = "POST", json.dumps({"title": "x"})
    assert router.optimized(post, None)["statusCode"] == 403  # a viewer of p1 may not create
    post["pathParameters"]["projectId"], post["path"] = "p2", "/projects/p2/items"
    created = router.optimized(post, None)
    assert created["statusCode"] == 201 and json.loads(created["body"])["itemId"].startswith("item-")
    stubber.assert_no_pending_responses()


def test_a_refreshed_token_with_the_same_claims_is_decided_once(authorizer: ModuleType,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    original = authorizer.claims.routes_for
    monkeypatch.setattr(authorizer.claims, "routes_for", lambda c: calls.append(c) or original(c))
    authorizer._decided.cache_clear()
    first = authorizer.handler(event_with(sign(claims(projects="p1", jti="j1", iat=1_700_000_000))), None)
    again = authorizer.handler(event_with(sign(claims(projects="p1", jti="j2", iat=1_700_000_001))), None)
    assert resources(first) == resources(again) and len(calls) == 1  # only the token's own id and time differ
    other = authorizer.handler(event_with(sign(claims(projects="p1:owner", jti="j3"))), None)
    assert len(calls) == 2 and f"{BASE}/DELETE/projects/p1/items/*" in resources(other)
    grouped = authorizer.handler(event_with(sign(claims(projects="p1", **{"cognito:groups": ["admins"]}))), None)
    assert len(calls) == 3 and resources(grouped) == resources(first)  # any other claim: decided anew


def test_the_router_refuses_a_machine_token_without_its_routes_own_scope(lambda_env: None,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A policy wider than the scopes (a `*` covering a sibling route) still meets the router's exact check."""
    monkeypatch.setenv("API_IDENTIFIER", "s-api")
    monkeypatch.setenv("ROUTE_SCOPES", json.dumps({"GET /projects/{projectId}/items": "reports.read"}))
    from claimsctl_runtime import handlers

    monkeypatch.setattr(handlers, "_LOADED", {})  # handlers loaded by an earlier test hold its stubbed client
    router = importlib.import_module("router")
    items = importlib.import_module("item_store")
    stubber = Stubber(items._DYNAMODB)
    stubber.add_response("query", {"Items": []}, {"TableName": "items", "KeyConditionExpression": ANY,
                                                  "ExpressionAttributeValues": ANY, "Limit": 100})
    stubber.activate()
    event = load("proxy_get_items.json")  # viewer on p1
    event["requestContext"]["authorizer"].update(principal="client", scope="s-api/items.read s-api/items.write")
    assert router.optimized(event, None)["statusCode"] == 403  # the method's scope is not this route's
    event["requestContext"]["authorizer"]["scope"] = "s-api/reports.read"
    assert router.optimized(event, None)["statusCode"] == 200
    stubber.assert_no_pending_responses()


def test_check_user_access_needs_the_routes_own_scope_for_a_machine(lambda_env: None,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The standard design's Cognito authorizer passes a token holding any one of the method's scopes (`openid`
    among them); CheckUserAccess decides by the scope of the route the router names."""
    for key, value in {"API_IDENTIFIER": "s-api", "USERS_TABLE": "users",
                       "ROUTE_SCOPES": json.dumps({"GET /projects/{projectId}/items": "reports.read"})}.items():
        monkeypatch.setenv(key, value)
    access = importlib.import_module("check_user_access")
    stubber = Stubber(access._DYNAMODB)
    row = {"Item": {"userName": {"S": "c1"}, "principal": {"S": "client"}, "projects": {"L": [{"S": "p1"}]}}}
    for _ in range(3):
        stubber.add_response("get_item", row, {"TableName": "users", "Key": {"userName": {"S": "c1"}}})
    stubber.activate()
    asked = {"username": "c1", "principal": "client", "method": "GET", "path": "/projects/p1/items",
             "route": "/projects/{projectId}/items"}
    assert access.handler({**asked, "scope": "openid s-api/items.read"}, None) == {"allowed": False}
    assert access.handler({**asked, "scope": "openid s-api/reports.read"}, None)["allowed"] is True
    people = {**asked, "principal": "user", "username": "c1", "scope": ""}
    assert access.handler(people, None) == {"allowed": False}  # a client's row is never a person's


def test_a_handler_never_sees_the_callers_credentials() -> None:
    from claimsctl_runtime import handlers

    shown = handlers.shown_headers({"Authorization": "Bearer x.y.z", "Cookie": "s=1", "X-Trace": "t1",
                                    "X-Amz-Security-Token": "secret"})
    assert shown == {"x-trace": "t1"}
    assert handlers.shown_headers(None) == {}
