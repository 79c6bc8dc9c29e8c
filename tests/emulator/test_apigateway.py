"""REST API execution on the emulator, built through the API Gateway API: authorizer types, policies, TTL, errors."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from claimsctl.local.apigateway import execute
from tests.emulator.helpers import make_function

AUTHORIZER = """
import json
def handler(event, context):
    print(json.dumps(event))
    identity = event.get("authorizationToken") or (event.get("headers") or {}).get("X-Key", "")
    if identity == "boom":
        raise RuntimeError("authorizer bug")
    if identity != "let-me-in" and identity != "deny-me":
        raise Exception("Unauthorized")
    effect = "Deny" if identity == "deny-me" else "Allow"
    base = "/".join(event["methodArn"].split("/")[:2])
    return {"principalId": "user-1", "context": {"team": "blue", "admin": False, "level": 3},
            "policyDocument": {"Version": "2012-10-17",
                               "Statement": [{"Action": "execute-api:Invoke", "Effect": effect,
                                              "Resource": [base + "/GET/things/*"]}]}}
"""
BACKEND = """
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"thing": event["pathParameters"]["thingId"],
                                "authorizer": event["requestContext"]["authorizer"],
                                "query": event["queryStringParameters"]})}
"""


class RestApi:
    def __init__(self, clients: Any, endpoint: str, authorizer_type: str, ttl: int, permit: bool = True) -> None:
        gateway, lam = clients("apigateway"), clients("lambda")
        self.api_id = gateway.create_rest_api(name="things")["id"]
        root = next(r for r in gateway.get_resources(restApiId=self.api_id)["items"] if r["path"] == "/")["id"]
        things = gateway.create_resource(restApiId=self.api_id, parentId=root, pathPart="things")["id"]
        thing = gateway.create_resource(restApiId=self.api_id, parentId=things, pathPart="{thingId}")["id"]
        authorizer_arn, backend_arn = make_function(lam, AUTHORIZER), make_function(lam, BACKEND)
        uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{}/invocations"
        identity = "method.request.header.Authorization" if authorizer_type == "TOKEN" else "method.request.header.X-Key"
        self.authorizer_id = gateway.create_authorizer(
            restApiId=self.api_id, name="auth", type=authorizer_type, identitySource=identity,
            authorizerUri=uri.format(authorizer_arn), authorizerResultTtlInSeconds=ttl)["id"]
        gateway.put_method(restApiId=self.api_id, resourceId=thing, httpMethod="GET", authorizationType="CUSTOM",
                           authorizerId=self.authorizer_id)
        gateway.put_integration(restApiId=self.api_id, resourceId=thing, httpMethod="GET", type="AWS_PROXY",
                                integrationHttpMethod="POST", uri=uri.format(backend_arn))
        gateway.create_deployment(restApiId=self.api_id, stageName="test")
        source = f"arn:aws:execute-api:us-east-1:123456789012:{self.api_id}/*"
        for arn in (authorizer_arn, backend_arn) if permit else ():
            lam.add_permission(FunctionName=arn, StatementId="apigw", Action="lambda:InvokeFunction",
                               Principal="apigateway.amazonaws.com", SourceArn=source)
        self.url = f"{endpoint}/execute-api/{self.api_id}/test"

    def get(self, path: str, **headers: str) -> requests.Response:
        return requests.get(self.url + path, headers=headers, timeout=30)


def test_token_authorizer_context_policy_and_errors(clients: Any, endpoint: str) -> None:
    api = RestApi(clients, endpoint, "TOKEN", ttl=0)
    ok = api.get("/things/t1?size=2", Authorization="let-me-in")
    assert ok.status_code == 200
    assert ok.json() == {"thing": "t1", "query": {"size": "2"},
                         "authorizer": {"principalId": "user-1", "team": "blue", "admin": "false", "level": "3"}}
    assert api.get("/things/t1", Authorization="nope").status_code == 401
    denied = api.get("/things/t1", Authorization="deny-me")
    assert denied.status_code == 403 and "explicit deny" in denied.json()["Message"]
    assert api.get("/things/t1", Authorization="boom").status_code == 500
    assert api.get("/elsewhere", Authorization="let-me-in").json() == {"message": "Missing Authentication Token"}


def test_missing_identity_is_401_without_invoking(clients: Any, endpoint: str) -> None:
    api = RestApi(clients, endpoint, "TOKEN", ttl=0)
    before = execute.stats().get("authorizer_invocations", 0)
    response = api.get("/things/t1")
    assert (response.status_code, response.json()) == (401, {"message": "Unauthorized"})
    assert execute.stats().get("authorizer_invocations", 0) == before


def test_ttl_zero_invokes_every_time_and_a_ttl_caches(clients: Any, endpoint: str) -> None:
    uncached = RestApi(clients, endpoint, "TOKEN", ttl=0)
    before = execute.stats().get("authorizer_invocations", 0)
    for _ in range(3):
        assert uncached.get("/things/a", Authorization="let-me-in").status_code == 200
    assert execute.stats().get("authorizer_invocations", 0) - before == 3
    cached = RestApi(clients, endpoint, "TOKEN", ttl=300)
    before = execute.stats().get("authorizer_invocations", 0)
    for thing in ("a", "b", "c"):
        assert cached.get(f"/things/{thing}", Authorization="let-me-in").status_code == 200
    assert execute.stats().get("authorizer_invocations", 0) - before == 1


@pytest.mark.parametrize("header", ["let-me-in"])
def test_request_authorizer_gets_the_request(clients: Any, endpoint: str, header: str) -> None:
    api = RestApi(clients, endpoint, "REQUEST", ttl=0)
    assert api.get("/things/t2", **{"X-Key": header}).status_code == 200
    assert api.get("/things/t2").status_code == 401


def test_without_permission_api_gateway_cannot_invoke(clients: Any, endpoint: str) -> None:
    api = RestApi(clients, endpoint, "TOKEN", ttl=0, permit=False)
    assert api.get("/things/t1", Authorization="let-me-in").status_code == 500


def test_unknown_api_or_stage_is_forbidden(endpoint: str) -> None:
    assert requests.get(f"{endpoint}/execute-api/nosuchapi/prod/x", timeout=10).status_code == 403


def test_policy_wildcards() -> None:
    arn = "arn:aws:execute-api:us-east-1:1:api/prod/GET/projects/p1/items"
    allow = {"Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:api/prod/*"}]}
    assert execute.evaluate(allow, arn) == "allow"
    both = {"Statement": [*allow["Statement"], {"Effect": "Deny", "Action": "*", "Resource": [arn]}]}
    assert execute.evaluate(both, arn) == "deny"
    other = {"Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": arn.replace("p1", "p2")}]}
    assert execute.evaluate(other, arn) == "none"
