"""The service model's input rules, checked by the emulator itself: requests are sent with botocore's own
client-side validation off (or as plain HTTP), so only the server can refuse them. Each answer is the service's
error with AWS's "N validation error(s) detected: Value ... at '...' failed to satisfy constraint: ..." text.

Pages: each API reference names the constraints (e.g. CreateResourceServer's Identifier: length 1-256, pattern
[\\x21\\x23-\\x5B\\x5D-\\x7E]+; CreateUserPool's PoolName: [\\w\\s+=,.@-]+); the wording is AWS's validation
message as users report it (e.g. "Value 'YOUR_USER_POOL_ID' at 'userPoolId' failed to satisfy constraint: Member
must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+")."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.conftest import REGION, unique

RAW = Config(parameter_validation=False, retries={"max_attempts": 1})


def _raw(endpoint: str, service: str) -> Any:
    """A boto3 client that sends whatever it is given: the server alone checks."""
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id="test",
                        aws_secret_access_key="test", config=RAW)


def _refused(call: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def _cognito_http(endpoint: str, action: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(endpoint, data=json.dumps(body), timeout=15, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"AWSCognitoIdentityProviderService.{action}"})


def test_a_pool_name_outside_its_pattern_is_refused_over_plain_http(endpoint: str) -> None:
    answer = _cognito_http(endpoint, "CreateUserPool", {"PoolName": "bad!name"})
    assert answer.status_code == 400
    assert answer.json()["__type"] == "InvalidParameterException"
    assert answer.json()["message"] == (
        "1 validation error detected: Value 'bad!name' at 'poolName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+")
    assert _cognito_http(endpoint, "CreateUserPool", {"PoolName": unique("good")}).status_code == 200


def test_resource_server_identifiers_and_scope_names_follow_their_patterns(endpoint: str) -> None:
    idp = _raw(endpoint, "cognito-idp")
    pool_id = idp.create_user_pool(PoolName=unique("rules"))["UserPool"]["Id"]
    scopes = [{"ScopeName": "items.read", "ScopeDescription": "read"}]
    code, text = _refused(lambda: idp.create_resource_server(UserPoolId=pool_id, Identifier='a"b', Name="n",
                                                             Scopes=scopes))
    assert code == "InvalidParameterException"
    assert text == ("1 validation error detected: Value 'a\"b' at 'identifier' failed to satisfy constraint: "
                    "Member must satisfy regular expression pattern: [\\x21\\x23-\\x5B\\x5D-\\x7E]+")
    _, text = _refused(lambda: idp.create_resource_server(UserPoolId=pool_id, Identifier="x" * 257, Name="n"))
    assert "at 'identifier' failed to satisfy constraint: Member must have length less than or equal to 256" in text
    _, text = _refused(lambda: idp.create_resource_server(
        UserPoolId=pool_id, Identifier="api", Name="n", Scopes=[{"ScopeName": "a\\b", "ScopeDescription": "d"},
                                                                {"ScopeName": "ok"}]))
    assert text.startswith("2 validation errors detected: ")
    assert "Value 'a\\b' at 'scopes.1.member.scopeName' failed to satisfy constraint: Member must satisfy " \
        "regular expression pattern: [\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]+" in text
    assert "Value null at 'scopes.2.member.scopeDescription' failed to satisfy constraint: Member must not be " \
        "null" in text
    assert idp.list_resource_servers(UserPoolId=pool_id, MaxResults=50)["ResourceServers"] == []
    idp.create_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com", Name="n", Scopes=scopes)


def test_sensitive_members_are_named_without_their_value(endpoint: str) -> None:
    idp = _raw(endpoint, "cognito-idp")
    pool_id = idp.create_user_pool(PoolName=unique("secrets"))["UserPool"]["Id"]
    code, text = _refused(lambda: idp.admin_create_user(UserPoolId=pool_id, Username="has space",
                                                        TemporaryPassword="not a secret"))
    assert code == "InvalidParameterException"
    assert "Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: " \
        "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+" in text
    assert "Value at 'temporaryPassword' failed to satisfy constraint" in text
    assert "has space" not in text and "not a secret" not in text
    assert idp.list_users(UserPoolId=pool_id)["Users"] == []


def test_lists_enums_ranges_and_required_nested_members(endpoint: str) -> None:
    idp = _raw(endpoint, "cognito-idp")
    pool_id = idp.create_user_pool(PoolName=unique("nested"))["UserPool"]["Id"]
    code, text = _refused(lambda: idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", AllowedOAuthScopes=["openid", "bad scope"],
        RefreshTokenRotation={"RetryGracePeriodSeconds": 90}, ExplicitAuthFlows=["ALLOW_EVERYTHING"]))
    assert code == "InvalidParameterException"
    assert text.startswith("4 validation errors detected: ")
    assert "Value '[ALLOW_EVERYTHING]' at 'explicitAuthFlows' failed to satisfy constraint: Member must satisfy " \
        "constraint: [Member must satisfy enum value set: [" in text
    assert "Value '[openid, bad scope]' at 'allowedOAuthScopes' failed to satisfy constraint: Member must " \
        "satisfy constraint: [Member must satisfy regular expression pattern: [\\x21\\x23-\\x5B\\x5D-\\x7E]+]" in text
    assert "Value null at 'refreshTokenRotation.feature' failed to satisfy constraint: Member must not be null" in text
    assert "Value '90' at 'refreshTokenRotation.retryGracePeriodSeconds' failed to satisfy constraint: Member must " \
        "have value less than or equal to 60" in text
    assert idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=10)["UserPoolClients"] == []
    code, text = _refused(lambda: idp.list_users(UserPoolId="not-a-pool"))
    assert text == ("1 validation error detected: Value 'not-a-pool' at 'userPoolId' failed to satisfy constraint: "
                    "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+")


def test_api_gateway_answers_bad_request(endpoint: str) -> None:
    apigw = _raw(endpoint, "apigateway")
    api_id = apigw.create_rest_api(name=unique("api"))["id"]
    code, text = _refused(lambda: apigw.create_authorizer(restApiId=api_id, name="auth", type="WRONG"))
    assert code == "BadRequestException"
    assert text == ("1 validation error detected: Value 'WRONG' at 'type' failed to satisfy constraint: Member must "
                    "satisfy enum value set: [TOKEN, REQUEST, COGNITO_USER_POOLS, JWT]")
    code, text = _refused(lambda: apigw.create_resource(restApiId=api_id, parentId=api_id))
    assert (code, text) == ("BadRequestException", "1 validation error detected: Value null at 'pathPart' failed to "
                                                   "satisfy constraint: Member must not be null")
    assert apigw.get_authorizers(restApiId=api_id)["items"] == []


def test_dynamodb_lambda_and_cloudformation_answer_with_their_own_errors(endpoint: str) -> None:
    code, text = _refused(lambda: _raw(endpoint, "dynamodb").query(TableName="t", Select="NOPE", Limit=0))
    assert code == "ValidationException"
    assert text == ("2 validation errors detected: Value 'NOPE' at 'select' failed to satisfy constraint: Member must "
                    "satisfy enum value set: [ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES, SPECIFIC_ATTRIBUTES, COUNT]; "
                    "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or "
                    "equal to 1")
    code, text = _refused(lambda: _raw(endpoint, "lambda").list_functions(MaxItems=100000))
    assert (code, text) == ("ValidationException", "1 validation error detected: Value '100000' at 'maxItems' failed "
                                                   "to satisfy constraint: Member must have value less than or equal "
                                                   "to 10000")
    code, text = _refused(lambda: _raw(endpoint, "cloudformation").list_stacks(StackStatusFilter=["NOPE"]))
    assert code == "ValidationError"
    assert text.startswith("1 validation error detected: Value '[NOPE]' at 'stackStatusFilter' failed to satisfy "
                           "constraint: Member must satisfy constraint: [Member must satisfy enum value set: [")


def test_every_pattern_of_the_checked_services_is_read() -> None:
    import botocore.session

    from claimsctl.local import model_rules

    session = botocore.session.get_session()
    unread = [(service, name) for service in model_rules.ERRORS
              for model in [session.get_service_model(service)] for name in model.shape_names
              if (pattern := model.shape_for(name).metadata.get("pattern")) and model_rules.compiled(pattern) is None]
    assert unread == []


def test_java_patterns_read_as_java_reads_them() -> None:
    from claimsctl.local import model_rules

    dynamodb_text = model_rules.compiled("[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\r\\n\\t]*")
    assert dynamodb_text.fullmatch("emoji \U0001F600 ok") and not dynamodb_text.fullmatch("\x01")
    pool_name = model_rules.compiled("[\\w\\s+=,.@-]+")
    assert pool_name.fullmatch("my pool_1") and not pool_name.fullmatch("caf\u00e9")  # Java's \\w is ASCII
    username = model_rules.compiled("[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+")
    assert username.fullmatch("J\u00f6rg@example.com") and not username.fullmatch("two words")
    assert not pool_name.fullmatch("ok!") and model_rules.compiled("[a-z]+").fullmatch("abc")
