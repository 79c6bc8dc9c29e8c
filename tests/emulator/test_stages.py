"""API Gateway stages on the emulator: a stage serves its deployment's snapshot, and only a new deployment (or
moving the stage) changes what it serves. Plain boto3 against the emulator; execute-api over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import unique
from tests.emulator.helpers import Pool, make_function, make_user, sign_in
from tests.emulator.test_cloudformation import events, outputs, wait

URI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{}/invocations"
MISSING = {"message": "Missing Authentication Token"}
ANSWER = """
import json
def handler(event, context):
    return {{"statusCode": 200, "body": json.dumps({{"answer": "{answer}", "resource": event["resource"]}})}}
"""
AUTHORIZER = """
def handler(event, context):
    base = "/".join(event["methodArn"].split("/")[:2])
    return {"principalId": "p", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": base + "/*"}]}}
"""


class Api:
    """A REST API with GET /things answered by a function, deployed to stage `prod`."""

    def __init__(self, clients: Any, endpoint: str) -> None:
        self.gateway, self.lam = clients("apigateway"), clients("lambda")
        self.api_id = self.gateway.create_rest_api(name="stages")["id"]
        self.root = next(r for r in self.gateway.get_resources(restApiId=self.api_id)["items"] if r["path"] == "/")["id"]
        self.things = self.resource("things")
        self.first = self.function("first")
        self.method(self.things, "GET", self.first)
        self.url = f"{endpoint}/execute-api/{self.api_id}"

    def function(self, answer: str) -> str:
        arn = make_function(self.lam, ANSWER.format(answer=answer))
        self.lam.add_permission(FunctionName=arn, StatementId="apigw", Action="lambda:InvokeFunction",
                                Principal="apigateway.amazonaws.com",
                                SourceArn=f"arn:aws:execute-api:us-east-1:123456789012:{self.api_id}/*")
        return arn

    def resource(self, path_part: str) -> str:
        return self.gateway.create_resource(restApiId=self.api_id, parentId=self.root,  # type: ignore[no-any-return]
                                            pathPart=path_part)["id"]

    def method(self, resource_id: str, http_method: str, function_arn: str, **method: Any) -> None:
        self.gateway.put_method(restApiId=self.api_id, resourceId=resource_id, httpMethod=http_method,
                                **{"authorizationType": "NONE", **method})
        self.integrate(resource_id, http_method, function_arn)

    def integrate(self, resource_id: str, http_method: str, function_arn: str) -> None:
        self.gateway.put_integration(restApiId=self.api_id, resourceId=resource_id, httpMethod=http_method,
                                     type="AWS_PROXY", integrationHttpMethod="POST", uri=URI.format(function_arn))

    def deploy(self, stage: str = "prod") -> str:
        return self.gateway.create_deployment(restApiId=self.api_id, stageName=stage)["id"]  # type: ignore[no-any-return]

    def call(self, method: str, path: str, stage: str = "prod", **headers: str) -> requests.Response:
        return requests.request(method, f"{self.url}/{stage}{path}", headers=headers, timeout=30)


@pytest.fixture
def api(clients: Any, endpoint: str) -> Api:
    return Api(clients, endpoint)


def test_a_method_added_after_a_deployment_is_served_only_after_the_next(api: Api) -> None:
    first = api.deploy()
    assert api.call("GET", "/things").json() == {"answer": "first", "resource": "/things"}
    api.method(api.things, "POST", api.first)
    api.method(api.resource("others"), "GET", api.first)
    for method, path in (("POST", "/things"), ("GET", "/others")):
        response = api.call(method, path)
        assert (response.status_code, response.json()) == (403, MISSING)
        assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    api.gateway.update_stage(restApiId=api.api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/description", "value": "kept"},
        {"op": "replace", "path": "/variables/colour", "value": "blue"}])
    second = api.deploy()
    assert second != first
    assert api.call("POST", "/things").status_code == 200
    assert api.call("GET", "/others").json()["resource"] == "/others"
    stage = api.gateway.get_stage(restApiId=api.api_id, stageName="prod")
    assert (stage["deploymentId"], stage["description"], stage["variables"]) == (second, "kept", {"colour": "blue"})


def test_an_unknown_stage_or_path_is_missing_authentication_token(api: Api) -> None:
    api.deploy()
    for stage, path in (("nosuchstage", "/things"), ("prod", "/nothing"), ("prod", "/")):
        response = api.call("GET", path, stage=stage)
        assert (response.status_code, response.json()) == (403, MISSING)
    assert requests.get(f"{api.url.rsplit('/', 1)[0]}/nosuchapi/prod/things", timeout=10).json() == {"message": "Forbidden"}


def test_an_integration_change_is_served_after_the_next_deployment(api: Api) -> None:
    api.deploy()
    api.integrate(api.things, "GET", api.function("second"))
    assert api.call("GET", "/things").json()["answer"] == "first"
    api.deploy()
    assert api.call("GET", "/things").json()["answer"] == "second"


def test_an_authorizer_change_is_served_after_the_next_deployment(api: Api) -> None:
    arn = make_function(api.lam, AUTHORIZER)
    api.lam.add_permission(FunctionName=arn, StatementId="apigw", Action="lambda:InvokeFunction",
                           Principal="apigateway.amazonaws.com",
                           SourceArn=f"arn:aws:execute-api:us-east-1:123456789012:{api.api_id}/authorizers/*")
    authorizer = api.gateway.create_authorizer(
        restApiId=api.api_id, name="auth", type="TOKEN", identitySource="method.request.header.Authorization",
        authorizerUri=URI.format(arn), authorizerResultTtlInSeconds=0)["id"]
    secured = api.resource("secured")
    api.method(secured, "GET", api.first, authorizationType="CUSTOM", authorizerId=authorizer)
    api.deploy()
    assert api.call("GET", "/secured", Authorization="t").status_code == 200
    assert api.call("GET", "/secured", **{"X-Key": "k"}).status_code == 401
    api.gateway.update_authorizer(restApiId=api.api_id, authorizerId=authorizer, patchOperations=[
        {"op": "replace", "path": "/identitySource", "value": "method.request.header.X-Key"}])
    assert api.call("GET", "/secured", Authorization="t").status_code == 200  # the deployed authorizer still
    api.deploy()
    assert api.call("GET", "/secured", Authorization="t").status_code == 401
    assert api.call("GET", "/secured", **{"X-Key": "k"}).status_code == 200


def test_update_stage_moves_the_stage_between_deployments(api: Api) -> None:
    old = api.deploy()
    api.method(api.resource("others"), "GET", api.first)
    new = api.gateway.create_deployment(restApiId=api.api_id)["id"]  # no stage: nothing served changes
    assert api.call("GET", "/others").status_code == 403
    api.gateway.update_stage(restApiId=api.api_id, stageName="prod",
                             patchOperations=[{"op": "replace", "path": "/deploymentId", "value": new}])
    assert api.call("GET", "/others").status_code == 200
    api.gateway.update_stage(restApiId=api.api_id, stageName="prod",
                             patchOperations=[{"op": "replace", "path": "/deploymentId", "value": old}])
    assert api.call("GET", "/others").status_code == 403
    with pytest.raises(ClientError) as refused:
        api.gateway.update_stage(restApiId=api.api_id, stageName="prod",
                                 patchOperations=[{"op": "replace", "path": "/deploymentId", "value": "nosuch"}])
    assert refused.value.response["Error"]["Code"] == "NotFoundException"
    assert api.gateway.get_stage(restApiId=api.api_id, stageName="prod")["deploymentId"] == old


def test_delete_deployment_is_refused_while_a_stage_points_at_it(api: Api) -> None:
    old = api.deploy()
    with pytest.raises(ClientError) as refused:
        api.gateway.delete_deployment(restApiId=api.api_id, deploymentId=old)
    error = refused.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "BadRequestException", "Active stages pointing to this deployment must be moved or deleted")
    api.gateway.create_stage(restApiId=api.api_id, stageName="beta", deploymentId=old)
    api.deploy()  # prod moves; beta still points at the old deployment
    with pytest.raises(ClientError, match="Active stages"):
        api.gateway.delete_deployment(restApiId=api.api_id, deploymentId=old)
    api.gateway.delete_stage(restApiId=api.api_id, stageName="beta")
    api.gateway.delete_deployment(restApiId=api.api_id, deploymentId=old)
    assert api.call("GET", "/things").status_code == 200
    with pytest.raises(ClientError, match="NotFoundException"):
        api.gateway.create_stage(restApiId=api.api_id, stageName="gamma", deploymentId=old)


# -- CloudFormation --------------------------------------------------------------------------------------------

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
CODE = "import json\ndef handler(event, context):\n    return {'statusCode': 200, 'body': json.dumps(event['resource'])}\n"


def _method(resource: str, scopes: list[str] | None) -> dict[str, Any]:
    secured = {"AuthorizationType": "COGNITO_USER_POOLS", "AuthorizerId": {"Ref": "Authorizer"},
               **({"AuthorizationScopes": scopes} if scopes else {})}
    return {"Type": "AWS::ApiGateway::Method", "Properties": {
        "RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": resource}, "HttpMethod": "GET", **secured,
        "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": {"Fn::Sub":
                        "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}}}}


def api_template(deployment: str, scopes: list[str] | None = None, others: bool = False,
                 stage_resource: bool = False, header: str = "Authorization", ttl: int = 300) -> dict[str, Any]:
    """A Cognito-secured GET /things (and GET /others); `deployment` is the Deployment's logical id. With
    `stage_resource`, an AWS::ApiGateway::Stage names the stage (SAM's way), else the Deployment's StageName."""
    methods = ["ThingsGet"] + (["OthersGet"] if others else [])
    resources: dict[str, Any] = {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": TRUST}},
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "index.handler", "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            "Code": {"ZipFile": CODE}}},
        "Permission": {"Type": "AWS::Lambda::Permission", "Properties": {
            "Action": "lambda:InvokeFunction", "FunctionName": {"Fn::GetAtt": ["Fn", "Arn"]},
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": {"Fn::Sub": "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*"}}},
        "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {"UserPoolName": "stages"}},
        "Client": {"Type": "AWS::Cognito::UserPoolClient", "Properties": {
            "UserPoolId": {"Ref": "Pool"}, "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}},
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "stages"}},
        "Authorizer": {"Type": "AWS::ApiGateway::Authorizer", "Properties": {
            "RestApiId": {"Ref": "Api"}, "Name": "pool", "Type": "COGNITO_USER_POOLS",
            "IdentitySource": f"method.request.header.{header}", "AuthorizerResultTtlInSeconds": ttl,
            "ProviderARNs": [{"Fn::GetAtt": ["Pool", "Arn"]}]}},
        "Things": {"Type": "AWS::ApiGateway::Resource", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "things"}},
        "ThingsGet": _method("Things", scopes),
        deployment: {"Type": "AWS::ApiGateway::Deployment", "DependsOn": methods, "Properties": {
            "RestApiId": {"Ref": "Api"}, **({} if stage_resource else {"StageName": "prod"})}},
    }
    if others:
        resources["Others"] = {"Type": "AWS::ApiGateway::Resource", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "others"}}
        resources["OthersGet"] = _method("Others", None)
    if stage_resource:
        resources["Stage"] = {"Type": "AWS::ApiGateway::Stage", "Properties": {
            "RestApiId": {"Ref": "Api"}, "StageName": "prod", "DeploymentId": {"Ref": deployment},
            "Description": deployment}}
    return {"Resources": resources, "Outputs": {
        "ApiId": {"Value": {"Ref": "Api"}}, "PoolId": {"Value": {"Ref": "Pool"}},
        "PoolArn": {"Value": {"Fn::GetAtt": ["Pool", "Arn"]}}, "ClientId": {"Value": {"Ref": "Client"}},
        "ThingsId": {"Value": {"Ref": "Things"}}, "AuthorizerId": {"Value": {"Ref": "Authorizer"}}}}


class Stack:
    """A stack of api_template, with a signed-in user's ID token."""

    def __init__(self, clients: Any, endpoint: str, template: dict[str, Any]) -> None:
        self.cfn, self.gateway, self.endpoint = clients("cloudformation"), clients("apigateway"), endpoint
        self.name = unique("stages")
        self.id = self.cfn.create_stack(StackName=self.name, TemplateBody=json.dumps(template),
                                        Capabilities=["CAPABILITY_IAM"])["StackId"]
        stack = wait(self.cfn, self.id)
        assert stack["StackStatus"] == "CREATE_COMPLETE", [e for e in events(self.cfn, self.name) if e[2]]
        self.out = outputs(stack)
        idp = clients("cognito-idp")
        pool = Pool(self.out["PoolId"], self.out["PoolArn"], self.out["ClientId"])
        make_user(idp, pool)
        self.id_token = sign_in(idp, pool)["IdToken"]

    def update(self, template: dict[str, Any]) -> str:
        self.cfn.update_stack(StackName=self.name, TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"])
        return str(wait(self.cfn, self.name)["StackStatus"])

    def get(self, path: str, header: str = "Authorization") -> int:
        url = f"{self.endpoint}/execute-api/{self.out['ApiId']}/prod{path}"
        return requests.get(url, headers={header: self.id_token}, timeout=30).status_code

    def deployments(self) -> set[str]:
        return {d["id"] for d in self.gateway.get_deployments(restApiId=self.out["ApiId"])["items"]}

    def stage(self) -> dict[str, Any]:
        return self.gateway.get_stage(restApiId=self.out["ApiId"], stageName="prod")  # type: ignore[no-any-return]

    def failed(self) -> list[tuple[str, str, str]]:
        return [e for e in events(self.cfn, self.id) if e[1].endswith("_FAILED")]

    def delete(self) -> str:
        self.cfn.delete_stack(StackName=self.id)
        return str(wait(self.cfn, self.id)["StackStatus"])


def test_a_stack_update_of_method_scopes_is_applied_and_served_after_a_new_deployment(clients: Any,
                                                                                       endpoint: str) -> None:
    stack = Stack(clients, endpoint, api_template("Deployment1"))
    assert stack.get("/things") == 200  # no scopes: the ID token passes
    assert stack.update(api_template("Deployment1", scopes=["openid"])) == "UPDATE_COMPLETE"
    method = stack.gateway.get_method(restApiId=stack.out["ApiId"], resourceId=stack.out["ThingsId"], httpMethod="GET")
    assert method["authorizationScopes"] == ["openid"]
    assert method["methodIntegration"]["type"] == "AWS_PROXY"
    assert stack.get("/things") == 200  # the stage still serves the first deployment
    old = stack.stage()["deploymentId"]
    assert stack.update(api_template("Deployment2", scopes=["openid"])) == "UPDATE_COMPLETE"
    assert stack.get("/things") == 401  # scopes: an ID token no longer passes
    assert stack.stage()["deploymentId"] not in (old, None)
    assert stack.deployments() == {stack.stage()["deploymentId"]}  # the old Deployment went, the stage stayed
    assert stack.failed() == []


def test_a_stack_update_of_an_authorizer_changes_it_in_place_and_is_served_after_a_new_deployment(
        clients: Any, endpoint: str) -> None:
    stack = Stack(clients, endpoint, api_template("Deployment1"))
    assert stack.update(api_template("Deployment1", header="X-Token", ttl=0)) == "UPDATE_COMPLETE"
    authorizer = stack.gateway.get_authorizer(restApiId=stack.out["ApiId"], authorizerId=stack.out["AuthorizerId"])
    assert (authorizer["identitySource"], authorizer["authorizerResultTtlInSeconds"]) == (
        "method.request.header.X-Token", 0)
    assert outputs(wait(stack.cfn, stack.id))["AuthorizerId"] == stack.out["AuthorizerId"]  # the same authorizer
    assert (stack.get("/things"), stack.get("/things", "X-Token")) == (200, 401)  # still the deployed authorizer
    assert stack.update(api_template("Deployment2", header="X-Token", ttl=0)) == "UPDATE_COMPLETE"
    assert (stack.get("/things"), stack.get("/things", "X-Token")) == (401, 200)
    assert stack.failed() == []


def test_a_stage_resource_moves_when_its_deployment_id_changes(clients: Any, endpoint: str) -> None:
    stack = Stack(clients, endpoint, api_template("Deployment1", stage_resource=True))
    assert stack.get("/things") == 200
    assert stack.update(api_template("Deployment1", others=True, stage_resource=True)) == "UPDATE_COMPLETE"
    assert stack.get("/others") == 403  # added to the API, not deployed
    assert stack.update(api_template("Deployment2", others=True, stage_resource=True)) == "UPDATE_COMPLETE"
    assert stack.get("/others") == 200
    assert stack.stage()["description"] == "Deployment2"
    assert stack.deployments() == {stack.stage()["deploymentId"]}
    assert stack.failed() == []
    assert stack.delete() == "DELETE_COMPLETE"


def test_a_stage_resource_cannot_take_over_a_stage_a_deployment_made(clients: Any, endpoint: str) -> None:
    """Day two: `prod` was made by the Deployment's StageName; a Stage resource of that name is refused, as
    CreateStage refuses an existing stage, and the update rolls back with prod still served."""
    stack = Stack(clients, endpoint, api_template("Deployment1"))
    status = stack.update(api_template("Deployment2", others=True, stage_resource=True))
    assert status == "UPDATE_ROLLBACK_COMPLETE"
    assert any(e[0] == "Stage" and "Stage already exists" in e[2] for e in stack.failed())
    assert stack.get("/things") == 200
    assert stack.get("/others") == 403
    assert len(stack.deployments()) == 1


def test_a_rolled_back_update_leaves_the_stage_on_its_deployment(clients: Any, endpoint: str) -> None:
    stack = Stack(clients, endpoint, api_template("Deployment1"))
    failing = api_template("Deployment2", others=True)
    failing["Resources"]["Broken"] = {"Type": "AWS::ApiGateway::Stage", "Properties": {
        "RestApiId": {"Ref": "Api"}, "StageName": "prod", "DeploymentId": {"Ref": "Deployment2"}}}
    assert stack.update(failing) == "UPDATE_ROLLBACK_COMPLETE"
    assert (stack.get("/things"), stack.get("/others")) == (200, 403)
    assert stack.deployments() == {stack.stage()["deploymentId"]}


def test_deleting_a_stack_after_its_stage_moved_is_clean(clients: Any, endpoint: str) -> None:
    stack = Stack(clients, endpoint, api_template("Deployment1"))
    assert stack.update(api_template("Deployment2", others=True)) == "UPDATE_COMPLETE"
    assert stack.get("/others") == 200
    assert stack.delete() == "DELETE_COMPLETE"
    assert stack.failed() == []
