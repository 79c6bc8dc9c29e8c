"""Documented AWS behaviour the emulator used to get wrong, one test each, naming the page it follows.

API Gateway Lambda authorizers:
  https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
  https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
IAM policy wildcards: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
Proxy event: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
Change sets: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html,
  https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html
Pre token generation: https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html
Authorize endpoint: https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html
Lambda triggers: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

from claimsctl.local.apigateway.execute import iam_match
from tests.conftest import unique
from tests.emulator.helpers import PASSWORD, make_function, make_pool, make_user, sign_in
from tests.emulator.test_apigateway import RestApi
from tests.emulator.test_hosted_ui import CALLBACK, HostedPool, authorize_params, code_from, exchange, hosted, pkce
from tests.emulator.test_hosted_ui import sign_in as hosted_sign_in

__all__ = ["hosted"]


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})  # type: ignore[no-any-return]


# -- API Gateway -----------------------------------------------------------------------------------


def test_identity_validation_expression_refuses_before_the_authorizer(clients: Any, endpoint: str) -> None:
    api = RestApi(clients, endpoint, "TOKEN", ttl=0)
    gateway = clients("apigateway")
    gateway.update_authorizer(restApiId=api.api_id, authorizerId=api.authorizer_id, patchOperations=[
        {"op": "replace", "path": "/identityValidationExpression", "value": "let-.*"}])
    gateway.create_deployment(restApiId=api.api_id, stageName="test")  # a stage serves the API as last deployed
    before = requests.get(f"{endpoint}/_claimsctl/stats", timeout=10).json()["api"].get("authorizer_invocations", 0)
    assert api.get("/things/t1", Authorization="deny-me").status_code == 401
    after = requests.get(f"{endpoint}/_claimsctl/stats", timeout=10).json()["api"].get("authorizer_invocations", 0)
    assert after == before  # refused without invoking the authorizer
    assert api.get("/things/t1", Authorization="let-me-in").status_code == 200


def test_iam_wildcards_are_star_and_question_mark_only() -> None:
    arn = "arn:aws:execute-api:us-east-1:1:api/prod/GET/projects/p1/items"
    assert iam_match("arn:aws:execute-api:us-east-1:1:api/prod/GET/projects/*/items", arn)
    assert iam_match("arn:aws:execute-api:us-east-1:1:api/prod/GET/projects/p?/items", arn)
    assert not iam_match("arn:aws:execute-api:us-east-1:1:api/prod/GET/projects/p[12]/items", arn)
    assert iam_match("Execute-API:invoke", "execute-api:Invoke", case_sensitive=False)
    assert not iam_match("arn:aws:execute-api:us-east-1:1:api/prod/get/projects/p1/items", arn)


OBJECT_CONTEXT_AUTHORIZER = """
def handler(event, context):
    base = "/".join(event["methodArn"].split("/")[:2])
    return {"principalId": "u", "context": {"nested": {"not": "allowed"}},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": [base + "/*"]}]}}
"""


def test_an_object_in_the_authorizer_context_is_a_500(clients: Any, endpoint: str) -> None:
    api = RestApi(clients, endpoint, "TOKEN", ttl=0)
    lam = clients("lambda")
    authorizer = clients("apigateway").get_authorizer(restApiId=api.api_id, authorizerId=api.authorizer_id)
    arn = authorizer["authorizerUri"].split("/functions/")[1].removesuffix("/invocations")
    from tests.emulator.helpers import zip_source

    lam.update_function_code(FunctionName=arn, ZipFile=zip_source(OBJECT_CONTEXT_AUTHORIZER))
    assert api.get("/things/t1", Authorization="anything").status_code == 500


IDENTITY_BACKEND = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"]["identity"])}
"""


def test_the_proxy_event_has_every_identity_key(clients: Any, endpoint: str) -> None:
    from tests.emulator.helpers import zip_source

    api = RestApi(clients, endpoint, "TOKEN", ttl=0)
    gateway = clients("apigateway")
    resource = next(r for r in gateway.get_resources(restApiId=api.api_id)["items"] if r["path"] == "/things/{thingId}")
    uri = gateway.get_integration(restApiId=api.api_id, resourceId=resource["id"], httpMethod="GET")["uri"]
    clients("lambda").update_function_code(FunctionName=uri.split("/functions/")[1].removesuffix("/invocations"),
                                           ZipFile=zip_source(IDENTITY_BACKEND))
    identity = api.get("/things/t1", Authorization="let-me-in").json()
    assert {"cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "sourceIp", "principalOrgId",
            "accessKey", "cognitoAuthenticationType", "cognitoAuthenticationProvider", "userArn", "userAgent",
            "user"} <= set(identity)
    assert identity["sourceIp"] == "127.0.0.1" and identity["caller"] is None


# -- CloudFormation change sets --------------------------------------------------------------------

TEMPLATE = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}
LOG_TEMPLATE = {"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}}}}


def wait_status(cfn: Any, change_set: str, wanted: set[str]) -> dict[str, Any]:
    for _ in range(200):
        described = cfn.describe_change_set(ChangeSetName=change_set)
        if described["Status"] in wanted:
            return described  # type: ignore[no-any-return]
        time.sleep(0.02)
    raise AssertionError(f"change set never reached {wanted}")


def wait_stack(cfn: Any, name: str) -> str:
    for _ in range(500):
        status = cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
        if not status.endswith("_IN_PROGRESS"):
            return str(status)
        time.sleep(0.02)
    raise AssertionError("stack never settled")


def test_change_sets_are_computed_after_the_call_returns(clients: Any) -> None:
    cfn, name = clients("cloudformation"), unique("cs")
    created = cfn.create_change_set(StackName=name, ChangeSetName="first", ChangeSetType="CREATE",
                                    TemplateBody=json.dumps(LOG_TEMPLATE))
    first = cfn.describe_change_set(ChangeSetName=created["Id"])
    assert first["Status"] in ("CREATE_PENDING", "CREATE_IN_PROGRESS") and first["ExecutionStatus"] == "UNAVAILABLE"
    with pytest.raises(ClientError):
        cfn.execute_change_set(ChangeSetName=created["Id"])
    ready = wait_status(cfn, created["Id"], {"CREATE_COMPLETE"})
    assert ready["ExecutionStatus"] == "AVAILABLE"
    cfn.execute_change_set(ChangeSetName=created["Id"])
    assert wait_stack(cfn, name) == "CREATE_COMPLETE"
    changed = {"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 14}}}}
    one = cfn.create_change_set(StackName=name, ChangeSetName="one", TemplateBody=json.dumps(changed))  # UPDATE
    two = cfn.create_change_set(StackName=name, ChangeSetName="two", TemplateBody=json.dumps(changed))
    wait_status(cfn, one["Id"], {"CREATE_COMPLETE"})
    wait_status(cfn, two["Id"], {"CREATE_COMPLETE"})
    other = unique("other")
    cfn.create_change_set(StackName=other, ChangeSetName="x", ChangeSetType="CREATE", TemplateBody=json.dumps(LOG_TEMPLATE))
    listed = {s["ChangeSetName"] for s in cfn.list_change_sets(StackName=name)["Summaries"]}
    assert listed == {"first", "one", "two"}  # this stack's only
    cfn.execute_change_set(ChangeSetName=one["Id"])
    assert wait_stack(cfn, name) == "UPDATE_COMPLETE"
    left = {s["ChangeSetName"] for s in cfn.list_change_sets(StackName=name)["Summaries"]}
    assert "two" not in left and "one" in left  # executing one deletes its siblings
    with pytest.raises(ClientError) as unchanged:
        cfn.update_stack(StackName=name, TemplateBody=json.dumps(changed))
    assert "No updates are to be performed." in str(unchanged.value)


# -- Cognito: the trigger ----------------------------------------------------------------------------

COMPLEX_VERIFIED = """
def handler(event, context):
    event["response"] = {"claimsAndScopeOverrideDetails": {"idTokenGeneration": {
        "claimsToAddOrOverride": {"email_verified": {"really": True}}}}}
    return event
"""

ECHO_METADATA = """
def handler(event, context):
    metadata = event["request"].get("clientMetadata") or {}
    event["response"] = {"claimsOverrideDetails": {"claimsToAddOrOverride": {
        "from_metadata": metadata.get("tenant", "none"), "username": "v1-may-add-this", "scope": "also-this"}}}
    return event
"""

ROLES = """
def handler(event, context):
    event["response"] = {"claimsAndScopeOverrideDetails": {"groupOverrideDetails": {
        "groupsToOverride": ["g1"], "iamRolesToOverride": ["arn:aws:iam::123456789012:role/r1"],
        "preferredRole": "arn:aws:iam::123456789012:role/r1"}}}
    return event
"""

def test_complex_values_for_four_id_token_claims_are_invalid(idp: Any, lam: Any) -> None:
    pool = make_pool(idp, lam, make_function(lam, COMPLEX_VERIFIED), version="V2_0")
    make_user(idp, pool)
    with pytest.raises(ClientError) as refused:
        sign_in(idp, pool)
    assert refused.value.response["Error"]["Code"] == "InvalidLambdaResponseException"


@pytest.mark.parametrize(("version", "message"), [("V9_9", "enum value set")])
def test_lambda_versions_are_checked(idp: Any, lam: Any, version: str, message: str) -> None:
    with pytest.raises(ClientError) as refused:
        idp.create_user_pool(PoolName=unique("p"), LambdaConfig={"PreTokenGenerationConfig": {
            "LambdaArn": make_function(lam, COMPLEX_VERIFIED), "LambdaVersion": version}})
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert message in refused.value.response["Error"]["Message"]


def test_client_metadata_of_respond_to_auth_challenge_reaches_the_trigger(idp: Any, lam: Any) -> None:
    pool = make_pool(idp, lam, make_function(lam, ECHO_METADATA))
    make_user(idp, pool, "newbie", permanent=False)
    challenge = idp.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": "newbie", "PASSWORD": PASSWORD})
    answer = idp.respond_to_auth_challenge(
        ClientId=pool.client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "newbie", "NEW_PASSWORD": "N3w-Passw0rd!x"}, ClientMetadata={"tenant": "t-7"})
    id_claims = claims(answer["AuthenticationResult"]["IdToken"])
    assert id_claims["from_metadata"] == "t-7"
    assert id_claims["username"] == "v1-may-add-this" and id_claims["scope"] == "also-this"  # not reserved in V1


def test_group_roles_go_to_the_id_token_only(idp: Any, lam: Any) -> None:
    pool = make_pool(idp, lam, make_function(lam, ROLES), version="V2_0")
    make_user(idp, pool)
    tokens = sign_in(idp, pool)
    id_claims, access = claims(tokens["IdToken"]), claims(tokens["AccessToken"])
    assert id_claims["cognito:roles"] == ["arn:aws:iam::123456789012:role/r1"]
    assert id_claims["cognito:preferred_role"] == "arn:aws:iam::123456789012:role/r1"
    assert access["cognito:groups"] == ["g1"]
    assert "cognito:roles" not in access and "cognito:preferred_role" not in access


def test_groups_with_roles_put_them_in_the_id_token(idp: Any, lam: Any) -> None:
    pool = make_pool(idp, lam, None)
    idp.create_group(UserPoolId=pool.pool_id, GroupName="low", Precedence=1, RoleArn="arn:aws:iam::1:role/low")
    idp.create_group(UserPoolId=pool.pool_id, GroupName="high", Precedence=5, RoleArn="arn:aws:iam::1:role/high")
    make_user(idp, pool, groups=("high", "low"))
    id_claims = claims(sign_in(idp, pool)["IdToken"])
    assert id_claims["cognito:preferred_role"] == "arn:aws:iam::1:role/low"
    assert id_claims["cognito:roles"] == ["arn:aws:iam::1:role/low", "arn:aws:iam::1:role/high"]


# -- Cognito: the hosted UI --------------------------------------------------------------------------


def test_a_trigger_error_goes_to_the_callback(hosted: HostedPool) -> None:
    _, challenge = pkce()
    answer = hosted_sign_in(hosted, authorize_params(hosted, challenge), username="broken")
    assert answer.status_code == 302
    query = parse_qs(urlparse(answer.headers["Location"]).query)
    assert answer.headers["Location"].startswith(CALLBACK)
    assert query["error"] == ["invalid_request"] and "projects table unavailable" in query["error_description"][0]


def redirect_query(hosted: HostedPool, params: dict[str, str]) -> dict[str, list[str]]:
    answer = requests.get(f"{hosted.base}/oauth2/authorize", params=params, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    return parse_qs(urlparse(answer.headers["Location"]).query)


def test_authorize_parameters_as_cognito_reads_them(hosted: HostedPool) -> None:
    _, challenge = pkce()
    no_openid = redirect_query(hosted, authorize_params(hosted, challenge, scope="email"))
    assert no_openid["error"] == ["invalid_scope"]
    no_method = redirect_query(hosted, {**authorize_params(hosted, None), "code_challenge": challenge})
    assert no_method["error"] == ["invalid_request"]
    without_scope = {k: v for k, v in authorize_params(hosted, None).items() if k != "scope"}
    code = code_from(hosted_sign_in(hosted, without_scope))  # no PKCE, no scope: both optional
    tokens = exchange(hosted, code, "").json()
    assert set(claims(tokens["access_token"])["scope"].split()) == {"openid", "email", "profile"}


def test_a_refresh_keeps_the_granted_scopes(hosted: HostedPool) -> None:
    verifier, challenge = pkce()
    tokens = exchange(hosted, code_from(hosted_sign_in(hosted, authorize_params(hosted, challenge))), verifier).json()
    refreshed = requests.post(f"{hosted.base}/oauth2/token", data={
        "grant_type": "refresh_token", "client_id": hosted.pool.client_id, "refresh_token": tokens["refresh_token"]},
        timeout=10).json()
    assert claims(refreshed["access_token"])["scope"] == claims(tokens["access_token"])["scope"] == "openid email"


def test_the_hosted_ui_keeps_a_session_until_logout(hosted: HostedPool) -> None:
    session = requests.Session()
    _, challenge = pkce()
    params = authorize_params(hosted, challenge)
    first = session.get(f"{hosted.base}/oauth2/authorize", params=params, allow_redirects=False, timeout=10)
    form = session.get(first.headers["Location"], timeout=10)
    import re

    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.text))
    action = re.search(r'<form method="post" action="([^"]+)"', form.text)
    assert action is not None
    signed_in = session.post(action.group(1), data={**hidden, "username": "alice", "password": PASSWORD},
                             allow_redirects=False, timeout=10)
    assert signed_in.status_code == 302 and "code=" in signed_in.headers["Location"]
    again = session.get(f"{hosted.base}/oauth2/authorize", params=params, allow_redirects=False, timeout=10)
    assert again.headers["Location"].startswith(CALLBACK) and "code=" in again.headers["Location"]  # no form
    forced = session.get(f"{hosted.base}/oauth2/authorize", params={**params, "prompt": "login"},
                         allow_redirects=False, timeout=10)
    assert "/login" in forced.headers["Location"]
    session.get(f"{hosted.base}/logout", params={"client_id": hosted.pool.client_id, "logout_uri": CALLBACK},
                allow_redirects=False, timeout=10)
    after = session.get(f"{hosted.base}/oauth2/authorize", params=params, allow_redirects=False, timeout=10)
    assert "/login" in after.headers["Location"]


def test_a_pool_with_deletion_protection_cannot_be_deleted_until_it_is_turned_off(clients: Any) -> None:
    """https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-deletion-protection.html"""
    idp = clients("cognito-idp")
    pool_id = idp.create_user_pool(PoolName=unique("protected"), DeletionProtection="ACTIVE")["UserPool"]["Id"]
    with pytest.raises(ClientError) as refused:
        idp.delete_user_pool(UserPoolId=pool_id)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["DeletionProtection"] == "ACTIVE"
    idp.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
    idp.delete_user_pool(UserPoolId=pool_id)


def test_features_outside_the_pools_plan_are_refused(clients: Any) -> None:
    """Threat protection needs the Plus plan; access-token customization (V2_0) needs Essentials or Plus:
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-cognito-userpool-userpooladdons.html"""
    idp = clients("cognito-idp")
    with pytest.raises(ClientError) as refused:
        idp.create_user_pool(PoolName=unique("threats"), UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"})
    assert refused.value.response["Error"]["Code"] == "FeatureUnavailableInTierException"
    pool = idp.create_user_pool(PoolName=unique("threats"), UserPoolTier="PLUS",
                                UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})["UserPool"]
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["UserPoolAddOns"]["AdvancedSecurityMode"] == "AUDIT"
    lite = idp.create_user_pool(PoolName=unique("lite"), UserPoolTier="LITE")["UserPool"]["Id"]
    for version in ("V2_0", "V3_0"):  # V3_0: the pre token generation page's "Essentials or Plus" too
        with pytest.raises(ClientError) as needs_essentials:
            idp.update_user_pool(UserPoolId=lite, LambdaConfig={"PreTokenGenerationConfig": {
                "LambdaVersion": version, "LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:f"}})
        assert needs_essentials.value.response["Error"]["Code"] == "FeatureUnavailableInTierException"


# -- the fidelity rows of the door-and-fidelity review ----------------------------------------------


def test_prevent_user_existence_errors_hides_an_unknown_user(clients: Any) -> None:
    """https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html"""
    idp = clients("cognito-idp")
    pool = make_pool(idp, clients("lambda"), None)
    make_user(idp, pool)

    def password_sign_in(username: str, password: str = PASSWORD) -> ClientError:
        with pytest.raises(ClientError) as refused:
            idp.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": username, "PASSWORD": password})
        return refused.value

    assert password_sign_in("nobody").response["Error"]["Code"] == "UserNotFoundException"  # LEGACY, the default
    idp.update_user_pool_client(UserPoolId=pool.pool_id, ClientId=pool.client_id, PreventUserExistenceErrors="ENABLED",
                                ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
                                                   "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    unknown, wrong = password_sign_in("nobody"), password_sign_in("alice", "Wrong-passw0rd!")
    assert unknown.response["Error"] == wrong.response["Error"] == {
        "Code": "NotAuthorizedException", "Message": "Incorrect username or password."}
    with pytest.raises(ClientError, match="Incorrect username or password"):
        idp.admin_initiate_auth(UserPoolId=pool.pool_id, ClientId=pool.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "nobody", "PASSWORD": PASSWORD})


def test_srp_hides_an_unknown_user_behind_a_challenge_that_cannot_be_met(clients: Any) -> None:
    from pycognito.aws_srp import AWSSRP

    idp = clients("cognito-idp")
    pool = make_pool(idp, clients("lambda"), None)
    idp.update_user_pool_client(UserPoolId=pool.pool_id, ClientId=pool.client_id, PreventUserExistenceErrors="ENABLED",
                                ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    srp = AWSSRP(username="nobody", password=PASSWORD, pool_id=pool.pool_id, client_id=pool.client_id, client=idp)
    with pytest.raises(ClientError) as refused:
        srp.authenticate_user()  # a PASSWORD_VERIFIER challenge first, like a real user's; then the refusal
    assert refused.value.response["Error"] == {"Code": "NotAuthorizedException",
                                               "Message": "Incorrect username or password."}


def test_the_access_token_carries_version_2_and_one_event_id_with_the_id_token(clients: Any) -> None:
    """https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html"""
    idp = clients("cognito-idp")
    pool = make_pool(idp, clients("lambda"), None)
    make_user(idp, pool)
    tokens = sign_in(idp, pool)
    access, identity = claims(tokens["AccessToken"]), claims(tokens["IdToken"])
    assert access["version"] == 2 and "version" not in identity
    assert access["event_id"] == identity["event_id"]
    again = claims(sign_in(idp, pool)["AccessToken"])
    assert again["event_id"] != access["event_id"]  # one issue, one event


def test_refresh_token_errors_say_why(clients: Any) -> None:
    idp = clients("cognito-idp")
    pool = make_pool(idp, clients("lambda"), None)
    make_user(idp, pool)
    refresh_token = idp.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "alice", "PASSWORD": PASSWORD})["AuthenticationResult"]["RefreshToken"]

    def refresh_error(token: str, admin: bool = False) -> str:
        with pytest.raises(ClientError) as refused:
            if admin:
                idp.admin_initiate_auth(UserPoolId=pool.pool_id, ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                        AuthParameters={"REFRESH_TOKEN": token})
            else:
                idp.initiate_auth(ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": token})
        assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
        return str(refused.value.response["Error"]["Message"])

    assert refresh_error("garbage") == refresh_error("garbage", admin=True) == "Invalid Refresh Token"
    idp.revoke_token(Token=refresh_token, ClientId=pool.client_id)
    assert refresh_error(refresh_token) == refresh_error(refresh_token, admin=True) == "Refresh Token has been revoked"


def test_get_user_says_why_a_token_is_refused(clients: Any) -> None:
    idp = clients("cognito-idp")
    pool = make_pool(idp, clients("lambda"), None)
    make_user(idp, pool)
    result = idp.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})["AuthenticationResult"]
    assert idp.get_user(AccessToken=result["AccessToken"])["Username"] == "alice"

    def refusal(token: str) -> str:
        with pytest.raises(ClientError) as refused:
            idp.get_user(AccessToken=token)
        assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
        return str(refused.value.response["Error"]["Message"])

    idp.admin_disable_user(UserPoolId=pool.pool_id, Username="alice")
    assert refusal(result["AccessToken"]) == "User is disabled."
    idp.admin_enable_user(UserPoolId=pool.pool_id, Username="alice")
    idp.revoke_token(Token=result["RefreshToken"], ClientId=pool.client_id)
    assert refusal(result["AccessToken"]) == "Access Token has been revoked"
    assert refusal("not-a-token") == "Invalid Access Token"
    assert refusal(result["IdToken"]) == "Invalid Access Token"


def test_pool_and_client_ids_have_cognitos_shape(clients: Any) -> None:
    import re

    idp = clients("cognito-idp")
    pool = idp.create_user_pool(PoolName=unique("ids"))["UserPool"]
    assert re.fullmatch(r"us-east-1_[0-9A-Za-z]{9}", pool["Id"]), pool["Id"]
    assert pool["Arn"].endswith(f":userpool/{pool['Id']}")
    client_id = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="c")["UserPoolClient"]["ClientId"]
    assert re.fullmatch(r"[0-9a-z]{26}", client_id), client_id
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Id"] == pool["Id"]


def test_the_revoke_endpoint_revokes_the_refresh_token_and_its_access_tokens(hosted: HostedPool) -> None:
    """https://docs.aws.amazon.com/cognito/latest/developerguide/revocation-endpoint.html"""
    verifier, challenge = pkce()
    tokens = exchange(hosted, code_from(hosted_sign_in(hosted, authorize_params(hosted, challenge))), verifier).json()
    revoke = f"{hosted.base}/oauth2/revoke"
    assert requests.post(revoke, data={"client_id": hosted.pool.client_id}, timeout=10).json()["error"] == \
        "invalid_request"
    as_jwt = requests.post(revoke, data={"token": tokens["access_token"], "client_id": hosted.pool.client_id}, timeout=10)
    assert as_jwt.status_code == 400 and as_jwt.json()["error"] == "unsupported_token_type"
    other = requests.post(revoke, data={"token": tokens["refresh_token"], "client_id": "nope"}, timeout=10)
    assert other.status_code == 400 and other.json()["error"] == "invalid_client"
    answer = requests.post(revoke, data={"token": tokens["refresh_token"], "client_id": hosted.pool.client_id},
                           headers={"Origin": "http://localhost:8081"}, timeout=10)
    assert answer.status_code == 200 and answer.content == b""
    assert answer.headers["Access-Control-Allow-Origin"] == "http://localhost:8081"
    refreshed = requests.post(f"{hosted.base}/oauth2/token", timeout=10, data={
        "grant_type": "refresh_token", "client_id": hosted.pool.client_id, "refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"
    info = requests.get(f"{hosted.base}/oauth2/userInfo", headers={"Authorization": f"Bearer {tokens['access_token']}"},
                        timeout=10)
    assert info.status_code == 401
    discovery = requests.get(f"{hosted.endpoint}/{hosted.pool.pool_id}/.well-known/openid-configuration", timeout=10)
    assert discovery.json()["revocation_endpoint"] == revoke
