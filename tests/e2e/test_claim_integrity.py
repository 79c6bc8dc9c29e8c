"""Data in a row never widens access: only valid project ids reach the claim, the policy or CheckUserAccess.

Rows are written straight into DynamoDB (as an attacker with write access to
one item, or a careless script, would), then read back by the real trigger at
sign-in, the real authorizer and CheckUserAccess, all running on the emulator.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimsctl import users
from claimsctl_runtime import projects
from tests.conftest import Deployer, claimsctl_client

PASSWORD = "Integr1ty-Passw0rd!"
METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/projects/p1/items"
HOSTILE = ["p1,admin", "*", "p2 ", " p3", "p?", "[12]", "a" * 65, "", "p4\n", "proj/../x", "p5"]


@pytest.fixture(params=["V1_0", "V2_0"])
def stack(request: pytest.FixtureRequest, deployed: Deployer) -> dict[str, str]:
    outputs = deployed(triggerVersion=request.param)
    target = users.Target(outputs["UserPoolId"], outputs["UsersTableName"])
    users.add_or_update(claimsctl_client("cognito-idp"), claimsctl_client("dynamodb"), target,
                        users.UserSpec("mallory", "mallory@example.com", ("p1",), PASSWORD))
    return outputs


def write_row(ddb: Any, outputs: dict[str, str], attribute: dict[str, Any]) -> None:
    ddb.put_item(TableName=outputs["UsersTableName"], Item={"userName": {"S": "mallory"}, "projects": attribute})


def signed_in(idp: Any, outputs: dict[str, str]) -> dict[str, str]:
    result = idp.initiate_auth(ClientId=outputs["UserPoolClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "mallory", "PASSWORD": PASSWORD})
    return result["AuthenticationResult"]  # type: ignore[no-any-return]


def api_token(tokens: dict[str, str], outputs: dict[str, str]) -> str:
    return tokens["IdToken"] if outputs["ApiTokenUse"] == "id" else tokens["AccessToken"]


def claim_of(token: str, outputs: dict[str, str]) -> list[str]:
    import jwt

    value = jwt.decode(token, options={"verify_signature": False}).get("projects")
    if outputs["TriggerVersion"] == "V1_0":
        assert isinstance(value, str)
        return [p for p in value.split(",") if p]
    assert isinstance(value, list) and all(isinstance(p, str) for p in value)
    return value


def function_named(lam: Any, suffix: str, variable: str, value: str) -> str:
    """The stack's function whose name ends with `suffix` and whose environment points at this stack."""
    return next(f["FunctionName"] for f in lam.list_functions()["Functions"]
                if f["FunctionName"].endswith(suffix) and f["Environment"]["Variables"].get(variable) == value)


def authorizer_policy(lam: Any, outputs: dict[str, str], token: str) -> dict[str, Any]:
    name = function_named(lam, "-authorizer", "USER_POOL_ID", outputs["UserPoolId"])
    answer = lam.invoke(FunctionName=name, Payload=json.dumps(
        {"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": METHOD_ARN}))
    assert "FunctionError" not in answer, answer["Payload"].read()
    return json.loads(answer["Payload"].read())  # type: ignore[no-any-return]


def check_user_access(lam: Any, outputs: dict[str, str], project_id: str, method: str = "GET") -> bool:
    name = function_named(lam, "-check-user-access", "USERS_TABLE", outputs["UsersTableName"])
    answer = lam.invoke(FunctionName=name, Payload=json.dumps(
        {"username": "mallory", "method": method, "path": f"/projects/{project_id}/items"}))
    assert "FunctionError" not in answer, answer["Payload"].read()
    return bool(json.loads(answer["Payload"].read())["allowed"])


ROLES = ("viewer", "editor", "owner")


def assert_only_valid(stored: list[str] | str, outputs: dict[str, str], clients: Any) -> None:
    """Only whole grants (a valid id, with a known role) reach the claim, the policy and CheckUserAccess."""
    idp, lam = clients("cognito-idp"), clients("lambda")
    grants = projects.grants_from_row("mallory", {"projects": stored}, ROLES)
    expected = projects.encode_grants(grants, ROLES)
    token = api_token(signed_in(idp, outputs), outputs)
    assert claim_of(token, outputs) == expected
    policy = authorizer_policy(lam, outputs, token)
    resources = policy["policyDocument"]["Statement"][0]["Resource"]
    if expected:
        assert sorted({r.split("/projects/")[1].split("/")[0] for r in resources}) == [g.project for g in grants]
        assert all(r.count("*") == (1 if "/DELETE/" in r else 0) and r.endswith(("/items", "/items/*"))
                   for r in resources)
    else:
        assert policy["policyDocument"]["Statement"][0]["Effect"] == "Deny"
    context_claim = json.loads(policy["context"]["claims"])["projects"]
    assert context_claim == (",".join(expected) if outputs["TriggerVersion"] == "V1_0" else expected)
    readable = {g.project for g in grants}
    for value in {*(stored if isinstance(stored, list) else stored.split(",")), "admin", "*"}:
        assert check_user_access(lam, outputs, value) == (value in readable), value


def test_hostile_ids_in_a_row_never_reach_claim_policy_or_access_check(
        stack: dict[str, str], clients: Any) -> None:
    write_row(clients("dynamodb"), stack, {"L": [{"S": s} for s in HOSTILE]})
    assert_only_valid(HOSTILE, stack, clients)
    write_row(clients("dynamodb"), stack, {"S": "p1,admin,*,p2:owner"})  # the post's comma string: ids only
    assert_only_valid("p1,admin,*,p2:owner", stack, clients)


def test_a_widened_row_gets_403_from_both_designs(stack: dict[str, str], clients: Any) -> None:
    write_row(clients("dynamodb"), stack, {"L": [{"S": "p1,admin"}, {"S": "*"}, {"S": "p1"}]})
    token = api_token(signed_in(clients("cognito-idp"), stack), stack)
    for path in ("projects/admin/items", "projects/p1,admin/items", "standard/projects/admin/items"):
        answer = requests.get(f"{stack['ApiUrl']}/{path}", headers={"Authorization": token}, timeout=30)
        assert answer.status_code == 403, (path, answer.text)
    answer = requests.get(f"{stack['ApiUrl']}/projects/p1/items", headers={"Authorization": token}, timeout=30)
    assert answer.status_code == 200


def test_the_trigger_logs_what_it_dropped_once_naming_the_user(stack: dict[str, str], clients: Any) -> None:
    write_row(clients("dynamodb"), stack, {"L": [{"S": "p1,admin"}, {"S": "p1"}]})
    signed_in(clients("cognito-idp"), stack)
    logs = clients("logs")
    group = f"/aws/lambda/{stack['TriggerFunctionName']}"
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    lines = [e["message"] for s in streams
             for e in logs.get_log_events(logGroupName=group, logStreamName=s["logStreamName"])["events"]
             if "invalid_grants_dropped" in e["message"]]
    assert len(lines) == 1
    record = json.loads(lines[0][lines[0].index("{"):])
    assert record["principal"] == "mallory" and record["dropped"] == ["'p1,admin'"]


SAMPLES = [*HOSTILE, "p1", "proj-2", "Q_3", "p4:editor", "p5:owner", "p6:root"]


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(stored=st.lists(st.one_of(st.text(max_size=12), st.sampled_from(SAMPLES)), max_size=6))
def test_any_strings_in_a_row_yield_only_their_valid_grants(stored: list[str], stack: dict[str, str],
                                                         clients: Any) -> None:
    stored = [s for s in stored if "\x00" not in s]
    write_row(clients("dynamodb"), stack, {"L": [{"S": s} for s in stored]})
    assert_only_valid(stored, stack, clients)
