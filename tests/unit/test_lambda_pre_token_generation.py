"""The trigger handler on real V1 and V2 event JSON, with DynamoDB stubbed at the request level: the shipped
claims.py (roles per project) through claimsctl's generic code (encoding, reserved names, the budget)."""

from __future__ import annotations

import copy
import importlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from botocore.stub import Stubber

from tests.conftest import ROOT

EVENTS = Path(__file__).with_name("events")


@pytest.fixture
def trigger(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("USERS_TABLE", "UserInfoTable")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.syspath_prepend(str(ROOT / "lambda_src"))
    for name in ("pre_token_generation", "claims"):
        sys.modules.pop(name, None)
    yield importlib.import_module("pre_token_generation")
    for name in ("pre_token_generation", "claims"):
        sys.modules.pop(name, None)


def event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())  # type: ignore[no-any-return]


EXPECTED_GET = {"TableName": "UserInfoTable", "Key": {"userName": {"S": "alice"}}}


def stub_item(trigger: ModuleType, item: dict[str, Any] | None) -> Stubber:
    stubber = Stubber(trigger._DYNAMODB)
    stubber.add_response("get_item", {"Item": item} if item is not None else {}, EXPECTED_GET)
    stubber.activate()
    return stubber


def test_v1_puts_sorted_comma_separated_projects_in_the_id_token(trigger: ModuleType) -> None:
    stubber = stub_item(trigger, {"projects": {"L": [{"S": "p2"}, {"S": "p1"}]}})
    result = trigger.handler(event("pre_token_v1_authentication.json"), None)
    stubber.assert_no_pending_responses()
    assert result["response"] == {"claimsOverrideDetails": {"claimsToAddOrOverride": {"projects": "p1,p2"}}}
    assert result["userName"] == "alice"


def test_v2_puts_a_list_in_both_tokens_on_refresh(trigger: ModuleType) -> None:
    stub_item(trigger, {"projects": {"SS": ["b", "a"]}})
    result = trigger.handler(event("pre_token_v2_refresh.json"), None)
    add = {"claimsToAddOrOverride": {"projects": ["a", "b"]}}
    assert result["response"] == {"claimsAndScopeOverrideDetails": {"idTokenGeneration": add, "accessTokenGeneration": add}}


def test_no_row_means_an_empty_claim(trigger: ModuleType) -> None:
    stub_item(trigger, None)
    result = trigger.handler(event("pre_token_v1_authentication.json"), None)
    assert result["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"] == {"projects": ""}


def test_claim_name_comes_from_the_environment(trigger: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIM_NAME", "teams")
    sys.modules.pop("claims", None)
    trigger.claims = importlib.import_module("claims")  # claims.py reads CLAIM_NAME when Lambda loads it
    stub_item(trigger, {"projects": {"S": "x,y"}})
    result = trigger.handler(event("pre_token_v2_refresh.json"), None)
    assert result["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"]["claimsToAddOrOverride"] == {
        "teams": ["x", "y"]}


def test_a_dynamodb_failure_gives_an_empty_claim_and_one_error_line(trigger: ModuleType,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    stubber = Stubber(trigger._DYNAMODB)
    stubber.add_client_error("get_item", "ProvisionedThroughputExceededException", "slow down")
    stubber.activate()
    result = trigger.handler(event("pre_token_v1_authentication.json"), None)
    assert result["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"] == {"projects": ""}
    errors = [json.loads(r.getMessage()) for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1
    assert errors[0]["event"] == "project_lookup_failed" and errors[0]["fallback"] == "emptyClaim"


def test_block_sign_in_setting_raises_a_message_for_the_user(trigger: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ON_LOOKUP_FAILURE", "blockSignIn")
    stubber = Stubber(trigger._DYNAMODB)
    stubber.add_client_error("get_item", "InternalServerError", "boom")
    stubber.activate()
    with pytest.raises(trigger.ProjectLookupFailed, match="could not be loaded"):
        trigger.handler(event("pre_token_v1_authentication.json"), None)


def test_other_trigger_sources_pass_through(trigger: ModuleType) -> None:
    other = copy.deepcopy(event("pre_token_v1_authentication.json"))
    other["triggerSource"] = "PostConfirmation_ConfirmSignUp"
    assert trigger.handler(copy.deepcopy(other), None) == other


def test_handlers_never_import_the_claimsctl_package() -> None:
    """Only what the packager ships beside them (claimsctl_runtime, claims.py), never the CLI's package."""
    for handler in (ROOT / "lambda_src").glob("*.py"):
        assert not re.search(r"\b(import|from) claimsctl\b(?!_)", handler.read_text()), handler.name


def test_roles_reach_the_claim_compactly_and_viewers_keep_todays_bytes(trigger: ModuleType) -> None:
    stubber = stub_item(trigger, {"projects": {"L": [{"S": "p2"}, {"S": "p1:editor"}, {"S": "p3:owner"}]}})
    stubber.add_response("get_item", {"Item": {"projects": {"L": [{"S": "p2"}, {"S": "p1:editor"}]}}}, EXPECTED_GET)
    v1 = trigger.handler(event("pre_token_v1_authentication.json"), None)["response"]["claimsOverrideDetails"]
    assert v1["claimsToAddOrOverride"] == {"projects": "p1:editor,p2,p3:owner"}
    v2 = trigger.handler(event("pre_token_v2_refresh.json"), None)["response"]["claimsAndScopeOverrideDetails"]
    assert v2["accessTokenGeneration"]["claimsToAddOrOverride"] == {"projects": ["p1:editor", "p2"]}


@pytest.mark.parametrize("stored, expected", [
    ({"L": [{"S": "p1:owner,p2"}]}, ""),  # one entry with a separator: one invalid grant, not two
    ({"L": [{"S": "p1:root"}, {"S": "p2"}]}, "p2"),  # an unknown role widens nothing
    ({"L": [{"S": "*"}, {"S": "p1:*"}]}, ""),  # no wildcard as an id or a role
    ({"S": "p1:owner,p2"}, "p2"),  # the post's comma string names projects only
    ({"L": [{"S": "p1:owner"}, {"S": "p1"}]}, "p1"),  # a project named twice keeps its least role
])
def test_malformed_grants_in_a_row_are_dropped_and_logged(trigger: ModuleType, caplog: pytest.LogCaptureFixture,
                                                          stored: dict[str, Any], expected: str) -> None:
    stub_item(trigger, {"projects": stored})
    result = trigger.handler(event("pre_token_v1_authentication.json"), None)
    assert result["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"] == {"projects": expected}
    if expected != "p1":
        assert any("invalid_grants_dropped" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")


@pytest.mark.parametrize(("name", "details"), [("pre_token_v2_refresh.json", "claimsAndScopeOverrideDetails"),
                                               ("pre_token_v1_authentication.json", "claimsOverrideDetails")])
def test_a_claim_too_large_for_a_header_is_never_issued_and_marks_a_lookup(
        trigger: ModuleType, caplog: pytest.LogCaptureFixture, name: str, details: str) -> None:
    caplog.set_level("INFO")
    many = [f"project-{number:04d}" for number in range(2000)]
    stub_item(trigger, {"projects": {"L": [{"S": p} for p in many]}})
    result = trigger.handler(event(name), None)["response"][details]
    added = (result.get("idTokenGeneration") or result)["claimsToAddOrOverride"]
    assert added == {"projects": [] if "v2" in name else "", "claimsctl:lookup": "row"}
    logged = [json.loads(r.getMessage()) for r in caplog.records if "claim_looked_up" in r.getMessage()]
    assert logged[0]["claim"] == "projects" and logged[0]["bytes"] > 5000


def test_a_claim_within_the_budget_is_kept_whole(trigger: ModuleType) -> None:
    some = [f"project-{number:04d}" for number in range(300)]
    stub_item(trigger, {"projects": {"L": [{"S": p} for p in some]}})
    claims = trigger.handler(event("pre_token_v1_authentication.json"), None)["response"]["claimsOverrideDetails"]
    assert claims["claimsToAddOrOverride"]["projects"] == ",".join(sorted(some))


def test_init_prepares_the_client_without_calling_dynamodb(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside Lambda the module prepares one GetItem at init, answered locally: DynamoDB sees nothing, so a
    slow DynamoDB cannot slow a cold start; the handler's own GetItem then goes out as usual."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[str] = []

    class DynamoDB(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen.append(self.headers.get("X-Amz-Target", ""))
            body = b"{}"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), DynamoDB)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for key, value in {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t",
                           "USERS_TABLE": "UserInfoTable", "AWS_LAMBDA_FUNCTION_NAME": "trigger",
                           "AWS_ENDPOINT_URL": f"http://127.0.0.1:{server.server_address[1]}"}.items():
            monkeypatch.setenv(key, value)
        monkeypatch.syspath_prepend(str(ROOT / "lambda_src"))
        sys.modules.pop("pre_token_generation", None)
        module = importlib.import_module("pre_token_generation")
        assert seen == []
        assert module.read_row("UserInfoTable", "alice") is None
        assert seen == ["DynamoDB_20120810.GetItem"]
    finally:
        sys.modules.pop("pre_token_generation", None)
        server.shutdown()
        server.server_close()
