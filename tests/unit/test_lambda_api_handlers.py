"""The API's handlers on real event JSON: the authorizer's policy, and the items function's second check."""

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
from botocore.stub import Stubber

from claimsctl import projects, tokens
from tests.conftest import ROOT
from tests.unit.test_tokens import CLIENT, POOL, FakeJwks, claims, sign

EVENTS = Path(__file__).with_name("events")


def load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())  # type: ignore[no-any-return]


@pytest.fixture
def lambda_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "t",
                       "AWS_SECRET_ACCESS_KEY": "t", "USER_POOL_ID": POOL, "CLIENT_ID": CLIENT, "TOKEN_USE": "id",
                       "ITEMS_TABLE": "items"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.syspath_prepend(str(ROOT / "lambda_src"))
    monkeypatch.setitem(sys.modules, "claimsctl_tokens", tokens)  # what the packager ships in the zip
    monkeypatch.setitem(sys.modules, "claimsctl_projects", projects)
    yield
    for name in ("authorizer", "project_items", "items"):
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


def test_allows_exactly_the_routes_of_the_callers_projects(authorizer: ModuleType) -> None:
    result = authorizer.handler(event_with(sign(claims(projects="p2,p1"))), None)
    base = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod"
    assert result == {
        "principalId": "u1",
        "policyDocument": {"Version": "2012-10-17", "Statement": [{
            "Action": "execute-api:Invoke", "Effect": "Allow",
            "Resource": [f"{base}/GET/projects/p1/items", f"{base}/GET/projects/p2/items"]}]},
        "context": {"username": "alice", "projects": "p1,p2"},
    }


def test_v2_list_claim(authorizer: ModuleType) -> None:
    result = authorizer.handler(event_with(sign(claims(projects=["b", "a"]))), None)
    assert result["context"]["projects"] == "a,b"


def test_no_projects_denies_everything(authorizer: ModuleType) -> None:
    statement = authorizer.handler(event_with(sign(claims(projects=""))), None)["policyDocument"]["Statement"][0]
    assert statement["Effect"] == "Deny"
    assert statement["Resource"] == ["arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/*"]


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c"])
def test_a_bad_token_is_unauthorized(authorizer: ModuleType, token: str) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorizer.handler(event_with(token), None)


def test_an_access_token_is_refused_when_the_api_expects_id_tokens(authorizer: ModuleType) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorizer.handler(event_with(sign(claims(token_use="access", aud=None, client_id=CLIENT))), None)


def test_items_function_checks_the_claim_again(lambda_env: None) -> None:
    project_items = importlib.import_module("project_items")
    items = sys.modules["items"]
    stubber = Stubber(items._DYNAMODB)
    stubber.add_response("query", {"Items": [{"projectId": {"S": "p1"}, "itemId": {"S": "i1"}}]},
                         {"TableName": "items", "KeyConditionExpression": "projectId = :project",
                          "ExpressionAttributeValues": {":project": {"S": "p1"}}, "Limit": 100})
    stubber.activate()
    ok = project_items.handler(load("proxy_get_items.json"), None)
    assert ok["statusCode"] == 200
    assert json.loads(ok["body"]) == {"projectId": "p1", "items": [{"projectId": "p1", "itemId": "i1"}]}
    other = copy.deepcopy(load("proxy_get_items.json"))
    other["pathParameters"]["projectId"] = "p9"
    assert project_items.handler(other, None)["statusCode"] == 403
    stubber.assert_no_pending_responses()
