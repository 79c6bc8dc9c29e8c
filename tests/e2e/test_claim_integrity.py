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

from claimsctl import projects, users
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


def check_user_access(lam: Any, outputs: dict[str, str], project_id: str) -> bool:
    name = function_named(lam, "-check-user-access", "USERS_TABLE", outputs["UsersTableName"])
    answer = lam.invoke(FunctionName=name, Payload=json.dumps({"username": "mallory", "projectId": project_id}))
    assert "FunctionError" not in answer, answer["Payload"].read()
    return bool(json.loads(answer["Payload"].read())["allowed"])


def assert_only_valid(stored: list[str], outputs: dict[str, str], clients: Any) -> None:
    idp, lam = clients("cognito-idp"), clients("lambda")
    expected = sorted({s for s in stored if projects.is_valid(s)})
    tokens = signed_in(idp, outputs)
    token = api_token(tokens, outputs)
    assert claim_of(token, outputs) == expected
    policy = authorizer_policy(lam, outputs, token)
    resources = policy["policyDocument"]["Statement"][0]["Resource"]
    if expected:
        assert [r.split("/projects/")[1].split("/")[0] for r in resources] == expected
    else:
        assert policy["policyDocument"]["Statement"][0]["Effect"] == "Deny"
    assert policy["context"]["projects"] == ",".join(expected)
    for value in {*stored, "admin", "*"}:
        assert check_user_access(lam, outputs, value) == (value in expected), value


def test_hostile_ids_in_a_row_never_reach_claim_policy_or_access_check(
        stack: dict[str, str], clients: Any) -> None:
    write_row(clients("dynamodb"), stack, {"L": [{"S": s} for s in HOSTILE]})
    assert_only_valid(HOSTILE, stack, clients)
    write_row(clients("dynamodb"), stack, {"S": "p1,admin,*"})  # an old comma-string row
    assert_only_valid(["p1", "admin", "*"], stack, clients)


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
             if "invalid_project_ids_dropped" in e["message"]]
    assert len(lines) == 1
    record = json.loads(lines[0][lines[0].index("{"):])
    assert record["user"] == "mallory" and record["dropped"] == ["'p1,admin'"]


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(stored=st.lists(st.one_of(st.text(max_size=12), st.sampled_from([*HOSTILE, "p1", "proj-2", "Q_3"])),
                       max_size=6))
def test_any_strings_in_a_row_yield_only_their_valid_ids(stored: list[str], stack: dict[str, str],
                                                         clients: Any) -> None:
    stored = [s for s in stored if "\x00" not in s]
    write_row(clients("dynamodb"), stack, {"L": [{"S": s} for s in stored]})
    assert_only_valid(stored, stack, clients)
