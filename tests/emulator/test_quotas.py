"""Quotas a test can reach, each from its AWS page, with plain boto3 (client-side validation off, so the server
alone refuses): "Quotas in Amazon Cognito" (resource servers, custom attributes, scopes per resource server),
API Gateway's Authorizer reference (TTL 0-3600) and "Amazon API Gateway quotas" (authorizers per API)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.conftest import REGION, unique


def _raw(endpoint: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(parameter_validation=False, retries={"max_attempts": 1}))


def _error(call: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    answer = caught.value.response
    return answer["Error"]["Code"], answer["Error"]["Message"], answer["ResponseMetadata"]["HTTPStatusCode"]


def test_a_pool_holds_25_resource_servers(endpoint: str) -> None:
    idp = _raw(endpoint, "cognito-idp")
    pool_id = idp.create_user_pool(PoolName=unique("servers"))["UserPool"]["Id"]
    for number in range(25):
        idp.create_resource_server(UserPoolId=pool_id, Identifier=f"api-{number}", Name=f"api {number}")
    code, message, _ = _error(lambda: idp.create_resource_server(UserPoolId=pool_id, Identifier="api-25", Name="one more"))
    assert code == "LimitExceededException" and "25" in message
    assert len(idp.list_resource_servers(UserPoolId=pool_id, MaxResults=50)["ResourceServers"]) == 25
    idp.delete_resource_server(UserPoolId=pool_id, Identifier="api-0")
    idp.create_resource_server(UserPoolId=pool_id, Identifier="api-25", Name="room again")


def test_a_resource_server_holds_100_scopes(endpoint: str) -> None:
    idp = _raw(endpoint, "cognito-idp")
    pool_id = idp.create_user_pool(PoolName=unique("scopes"))["UserPool"]["Id"]
    scopes = [{"ScopeName": f"s{n}", "ScopeDescription": "d"} for n in range(101)]
    code, message, _ = _error(lambda: idp.create_resource_server(UserPoolId=pool_id, Identifier="api", Name="api",
                                                                 Scopes=scopes))
    assert code == "InvalidParameterException"
    assert "at 'scopes' failed to satisfy constraint: Member must have length less than or equal to 100" in message
    idp.create_resource_server(UserPoolId=pool_id, Identifier="api", Name="api", Scopes=scopes[:100])


def test_a_pool_holds_50_custom_attributes(endpoint: str) -> None:
    idp = _raw(endpoint, "cognito-idp")

    def attributes(first: int, count: int) -> list[dict[str, Any]]:
        return [{"Name": f"a{n}", "AttributeDataType": "String", "Mutable": True} for n in range(first, first + count)]

    pool_id = idp.create_user_pool(PoolName=unique("custom"), Schema=attributes(0, 30))["UserPool"]["Id"]
    idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=attributes(30, 20))
    code, message, _ = _error(lambda: idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=attributes(50, 1)))
    assert code == "InvalidParameterException" and "50" in message
    schema = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["SchemaAttributes"]
    assert sum(1 for attribute in schema if attribute["Name"].startswith("custom:")) == 50


def test_the_authorizer_ttl_is_0_to_3600_seconds(endpoint: str) -> None:
    apigw = _raw(endpoint, "apigateway")
    api_id = apigw.create_rest_api(name=unique("ttl"))["id"]
    uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:" \
        "function:auth/invocations"

    def create(ttl: Any) -> Any:
        return apigw.create_authorizer(restApiId=api_id, name=unique("auth"), type="TOKEN", authorizerUri=uri,
                                       identitySource="method.request.header.Authorization",
                                       authorizerResultTtlInSeconds=ttl)

    for bad in (4000, -1):
        code, message, status = _error(lambda bad=bad: create(bad))
        assert (code, status) == ("BadRequestException", 400) and "0 to 3600" in message
    made = create(3600)
    assert made["authorizerResultTtlInSeconds"] == 3600
    code, _, _ = _error(lambda: apigw.update_authorizer(restApiId=api_id, authorizerId=made["id"], patchOperations=[
        {"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "3601"}]))
    assert code == "BadRequestException"
    apigw.update_authorizer(restApiId=api_id, authorizerId=made["id"], patchOperations=[
        {"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "0"}])
    assert apigw.get_authorizer(restApiId=api_id, authorizerId=made["id"])["authorizerResultTtlInSeconds"] == 0
    assert len(apigw.get_authorizers(restApiId=api_id)["items"]) == 1


def test_an_api_holds_10_authorizers(endpoint: str) -> None:
    apigw = _raw(endpoint, "apigateway")
    api_id = apigw.create_rest_api(name=unique("many"))["id"]
    pool_arn = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abcdefghi"

    def create(number: int) -> Any:
        return apigw.create_authorizer(restApiId=api_id, name=f"auth-{number}", type="COGNITO_USER_POOLS",
                                       providerARNs=[pool_arn], identitySource="method.request.header.Authorization")

    for number in range(10):
        create(number)
    code, message, status = _error(lambda: create(10))
    assert (code, status) == ("LimitExceededException", 429) and "10" in message
    assert len(apigw.get_authorizers(restApiId=api_id)["items"]) == 10


def test_cloudformation_refuses_the_same_ttl_and_rotation_settings(clients: Any) -> None:
    from tests.emulator.test_cloudformation import events, pool_template, wait

    cfn = clients("cloudformation")
    template = pool_template(UserPoolTier="ESSENTIALS")
    template["Resources"]["Api"] = {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": unique("api")}}
    template["Resources"]["Authorizer"] = {"Type": "AWS::ApiGateway::Authorizer", "Properties": {
        "RestApiId": {"Ref": "Api"}, "Name": "pool", "Type": "COGNITO_USER_POOLS",
        "ProviderARNs": [{"Fn::GetAtt": ["Pool", "Arn"]}], "IdentitySource": "method.request.header.Authorization",
        "AuthorizerResultTtlInSeconds": 4000}}
    name = unique("ttl")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    assert wait(cfn, name)["StackStatus"] == "ROLLBACK_COMPLETE"
    failed = [reason for logical, status, reason in events(cfn, name) if status == "CREATE_FAILED"]
    assert len(failed) == 1 and "0 to 3600" in failed[0]

    template = pool_template(UserPoolTier="ESSENTIALS")
    template["Resources"]["Client"]["Properties"]["RefreshTokenRotation"] = {"Feature": "ENABLED",
                                                                             "RetryGracePeriodSeconds": 90}
    name = unique("grace")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    assert wait(cfn, name)["StackStatus"] == "ROLLBACK_COMPLETE"
    failed = [(logical, reason) for logical, status, reason in events(cfn, name) if status == "CREATE_FAILED"]
    assert failed == [("Client", "1 validation error detected: Value '90' at 'refreshTokenRotation.retryGracePeriod"
                                 "Seconds' failed to satisfy constraint: Member must have value less than or equal "
                                 "to 60")]
