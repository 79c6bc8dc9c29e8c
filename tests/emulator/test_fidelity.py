"""Documented Cognito and API Gateway behaviour the emulator used to get wrong (issue 28), each with plain boto3
or HTTP against the emulator, naming the page it follows.

SECRET_HASH: https://docs.aws.amazon.com/cognito/latest/developerguide/signing-up-users-in-your-app.html
  (Computing secret hash values), InitiateAuth / RespondToAuthChallenge / SignUp API references.
User APIs' scope: https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetUser.html
RevokeToken: https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RevokeToken.html
Endpoints: https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html,
  https://docs.aws.amazon.com/cognito/latest/developerguide/revocation-endpoint.html
Existence: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html
Resource servers: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-define-resource-servers.html
Cognito authorizer: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-integrate-with-cognito.html
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import unique
from tests.emulator.helpers import PASSWORD, Pool, make_function, make_pool, make_user
from tests.emulator.test_client_credentials import READ, WRITE, Machine, _machine
from tests.emulator.test_hosted_ui import HostedPool, authorize_params, code_from, exchange, hosted, pkce, sign_in

__all__ = ["hosted"]


def secret_hash(client_id: str, secret: str, username: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()).decode()


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


class SecretClient:
    def __init__(self, idp: Any, pool: Pool) -> None:
        made = idp.create_user_pool_client(
            UserPoolId=pool.pool_id, ClientName="server-app", GenerateSecret=True,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
                               "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]
        self.pool, self.id, self.secret = pool, made["ClientId"], made["ClientSecret"]

    def hash(self, username: str) -> str:
        return secret_hash(self.id, self.secret, username)


@pytest.fixture
def confidential(idp: Any, lam: Any) -> SecretClient:
    pool = make_pool(idp, lam, None)
    make_user(idp, pool, "alice")
    return SecretClient(idp, pool)


# -- SECRET_HASH -----------------------------------------------------------------------------------


def test_sign_in_needs_the_secret_hash(idp: Any, confidential: SecretClient) -> None:
    client = confidential.id
    with pytest.raises(ClientError) as missing:
        idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert error(missing) == ("NotAuthorizedException",
                              f"Client {client} is configured with secret but SECRET_HASH was not received")
    for wrong in (confidential.hash("alice@example.com"), secret_hash(client, "not-the-secret", "alice")):
        with pytest.raises(ClientError) as refused:
            idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD, "SECRET_HASH": wrong})
        assert error(refused) == ("NotAuthorizedException", f"Unable to verify secret hash for client {client}")
    with pytest.raises(ClientError) as admin_missing:
        idp.admin_initiate_auth(UserPoolId=confidential.pool.pool_id, ClientId=client,
                                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert error(admin_missing)[0] == "NotAuthorizedException"
    issued = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "alice", "PASSWORD": PASSWORD, "SECRET_HASH": confidential.hash("alice")})["AuthenticationResult"]
    admin = idp.admin_initiate_auth(
        UserPoolId=confidential.pool.pool_id, ClientId=client, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD, "SECRET_HASH": confidential.hash("alice")})
    assert admin["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as refresh_missing:
        idp.initiate_auth(ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": issued["RefreshToken"]})
    assert "SECRET_HASH was not received" in error(refresh_missing)[1]
    refreshed = idp.initiate_auth(ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={
        "REFRESH_TOKEN": issued["RefreshToken"], "SECRET_HASH": confidential.hash("alice")})
    assert refreshed["AuthenticationResult"]["AccessToken"]


def test_a_client_without_a_secret_needs_no_hash(idp: Any, lam: Any) -> None:
    pool = make_pool(idp, lam, None)
    make_user(idp, pool, "alice")
    assert idp.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})["AuthenticationResult"]


def test_srp_and_its_challenge_need_the_secret_hash(idp: Any, confidential: SecretClient) -> None:
    from pycognito.aws_srp import AWSSRP

    srp = AWSSRP(username="alice", password=PASSWORD, pool_id=confidential.pool.pool_id, client_id=confidential.id,
                 client=idp, client_secret=confidential.secret)
    started = idp.initiate_auth(ClientId=confidential.id, AuthFlow="USER_SRP_AUTH",
                                AuthParameters=srp.get_auth_params())
    answer = srp.process_challenge(started["ChallengeParameters"], srp.get_auth_params())
    without = {k: v for k, v in answer.items() if k != "SECRET_HASH"}
    with pytest.raises(ClientError) as missing:
        idp.respond_to_auth_challenge(ClientId=confidential.id, ChallengeName="PASSWORD_VERIFIER",
                                      Session=started.get("Session", ""), ChallengeResponses=without)
    assert "SECRET_HASH was not received" in error(missing)[1]
    started = idp.initiate_auth(ClientId=confidential.id, AuthFlow="USER_SRP_AUTH",
                                AuthParameters=srp.get_auth_params())
    answer = srp.process_challenge(started["ChallengeParameters"], srp.get_auth_params())
    done = idp.respond_to_auth_challenge(ClientId=confidential.id, ChallengeName="PASSWORD_VERIFIER",
                                         Session=started.get("Session", ""), ChallengeResponses=answer)
    assert done["AuthenticationResult"]["IdToken"]


def test_sign_up_and_recovery_need_the_secret_hash(idp: Any, confidential: SecretClient) -> None:
    client, name = confidential.id, unique("bob")
    unverified = f"Unable to verify secret hash for client {client}"
    calls = {
        "sign_up": {"Username": name, "Password": PASSWORD},
        "confirm_sign_up": {"Username": name, "ConfirmationCode": "123456"},
        "resend_confirmation_code": {"Username": name},
        "forgot_password": {"Username": "alice"},
        "confirm_forgot_password": {"Username": "alice", "ConfirmationCode": "123456", "Password": PASSWORD},
    }
    for call, params in calls.items():
        for hashed in ({}, {"SecretHash": confidential.hash("someone-else")}):
            with pytest.raises(ClientError) as refused:
                getattr(idp, call)(ClientId=client, **params, **hashed)
            assert error(refused) == ("NotAuthorizedException", unverified), call
    signed_up = idp.sign_up(ClientId=client, Username=name, Password=PASSWORD, SecretHash=confidential.hash(name),
                            UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])
    assert signed_up["UserConfirmed"] is False
    resent = idp.resend_confirmation_code(ClientId=client, Username=name, SecretHash=confidential.hash(name))
    assert resent["CodeDeliveryDetails"] == {"Destination": "b***@e***", "DeliveryMedium": "EMAIL",
                                             "AttributeName": "email"}
    idp.confirm_sign_up(ClientId=client, Username=name, ConfirmationCode="123456", SecretHash=confidential.hash(name))
    assert idp.forgot_password(ClientId=client, Username="alice", SecretHash=confidential.hash("alice"))[
        "CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"


# -- The user APIs' scope --------------------------------------------------------------------------


def test_user_apis_need_the_user_admin_scope(idp: Any, hosted: HostedPool) -> None:
    verifier, challenge = pkce()
    code = code_from(sign_in(hosted, authorize_params(hosted, challenge)))  # scope: openid email
    token = exchange(hosted, code, verifier).json()["access_token"]
    assert "aws.cognito.signin.user.admin" not in jwt.decode(token, options={"verify_signature": False})["scope"]
    for call, params in _user_calls().items():
        with pytest.raises(ClientError) as refused:
            getattr(idp, call)(AccessToken=token, **params)
        assert error(refused) == ("NotAuthorizedException", "Access Token does not have required scopes"), call
    assert idp.admin_get_user(UserPoolId=hosted.pool.pool_id, Username="alice")["Enabled"]
    api_token = idp.initiate_auth(ClientId=hosted.pool.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "alice", "PASSWORD": PASSWORD})["AuthenticationResult"]["AccessToken"]
    assert idp.get_user(AccessToken=api_token)["Username"] == "alice"


def _user_calls() -> dict[str, dict[str, Any]]:
    return {
        "get_user": {}, "update_user_attributes": {"UserAttributes": [{"Name": "name", "Value": "x"}]},
        "delete_user_attributes": {"UserAttributeNames": ["name"]}, "global_sign_out": {},
        "change_password": {"PreviousPassword": PASSWORD, "ProposedPassword": PASSWORD + "x"},
        "associate_software_token": {}, "set_user_mfa_preference": {"SoftwareTokenMfaSettings": {"Enabled": False}},
        "list_devices": {}, "get_user_attribute_verification_code": {"AttributeName": "email"},
        "verify_user_attribute": {"AttributeName": "email", "Code": "123456"}, "delete_user": {},
    }


def test_a_machine_token_never_acts_as_a_user(idp: Any, lam: Any, endpoint: str) -> None:
    machine = _machine(idp, lam, endpoint)
    make_user(idp, machine.pool, "None")  # the user moto used to map a token without `username` to
    token = machine.token().json()["access_token"]
    for call, params in _user_calls().items():
        with pytest.raises(ClientError) as refused:
            getattr(idp, call)(AccessToken=token, **params)
        assert error(refused) == ("NotAuthorizedException", "Access Token does not have required scopes"), call
    user = idp.admin_get_user(UserPoolId=machine.pool.pool_id, Username="None")
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}.get("name") is None


def test_delete_user_and_attributes_with_the_users_token(idp: Any, lam: Any) -> None:
    pool = make_pool(idp, lam, None)
    make_user(idp, pool, "carol")
    token = idp.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "carol", "PASSWORD": PASSWORD})["AuthenticationResult"]["AccessToken"]
    idp.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "name", "Value": "Carol"}])
    idp.delete_user_attributes(AccessToken=token, UserAttributeNames=["name"])
    assert "name" not in {a["Name"] for a in idp.get_user(AccessToken=token)["UserAttributes"]}
    assert idp.list_devices(AccessToken=token)["Devices"] == []
    sent = idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    assert sent["CodeDeliveryDetails"] == {"Destination": "c***@e***", "DeliveryMedium": "EMAIL",
                                           "AttributeName": "email"}
    idp.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email_verified", "Value": "false"}])
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code="123456")
    assert {a["Name"]: a["Value"] for a in idp.get_user(AccessToken=token)["UserAttributes"]}["email_verified"] == "true"
    with pytest.raises(ClientError) as no_phone:
        idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="phone_number")
    assert error(no_phone)[0] == "InvalidParameterException"
    idp.delete_user(AccessToken=token)
    with pytest.raises(ClientError) as gone:
        idp.admin_get_user(UserPoolId=pool.pool_id, Username="carol")
    assert error(gone)[0] == "UserNotFoundException"
    with pytest.raises(ClientError) as revoked:
        idp.get_user(AccessToken=token)
    assert error(revoked)[0] == "NotAuthorizedException"


# -- RevokeToken and the OAuth endpoints -----------------------------------------------------------


def test_get_tokens_from_refresh_token_checks_the_client_secret(idp: Any, confidential: SecretClient) -> None:
    issued = idp.initiate_auth(ClientId=confidential.id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "alice", "PASSWORD": PASSWORD, "SECRET_HASH": confidential.hash("alice")})["AuthenticationResult"]
    token = issued["RefreshToken"]
    with pytest.raises(ClientError) as missing:
        idp.get_tokens_from_refresh_token(ClientId=confidential.id, RefreshToken=token)
    assert error(missing) == ("NotAuthorizedException",
                              f"Client {confidential.id} is configured with secret but ClientSecret was not received")
    with pytest.raises(ClientError) as wrong:
        idp.get_tokens_from_refresh_token(ClientId=confidential.id, RefreshToken=token, ClientSecret="x" * 30)
    assert error(wrong) == ("NotAuthorizedException", f"Unable to verify secret for client {confidential.id}")
    refreshed = idp.get_tokens_from_refresh_token(ClientId=confidential.id, RefreshToken=token,
                                                  ClientSecret=confidential.secret)["AuthenticationResult"]
    assert idp.get_user(AccessToken=refreshed["AccessToken"])["Username"] == "alice"


def test_revoke_token_checks_the_client_secret(idp: Any, confidential: SecretClient) -> None:
    issued = idp.initiate_auth(ClientId=confidential.id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "alice", "PASSWORD": PASSWORD, "SECRET_HASH": confidential.hash("alice")})["AuthenticationResult"]
    for secret in ({}, {"ClientSecret": "x" * 30}):
        with pytest.raises(ClientError) as refused:
            idp.revoke_token(ClientId=confidential.id, Token=issued["RefreshToken"], **secret)
        assert error(refused) == ("UnauthorizedException", "Invalid client or secret")
    assert idp.get_user(AccessToken=issued["AccessToken"])["Username"] == "alice"  # nothing was revoked
    idp.revoke_token(ClientId=confidential.id, Token=issued["RefreshToken"], ClientSecret=confidential.secret)
    with pytest.raises(ClientError) as revoked:
        idp.get_user(AccessToken=issued["AccessToken"])
    assert error(revoked) == ("NotAuthorizedException", "Access Token has been revoked")


@pytest.fixture
def machine(idp: Any, lam: Any, endpoint: str) -> Machine:
    return _machine(idp, lam, endpoint)


def test_invalid_client_is_one_answer_and_revoke_says_401(machine: Machine) -> None:
    unknown = requests.post(machine.token_url, data={"grant_type": "client_credentials"},
                            auth=("nosuchclient", machine.secret), timeout=15)
    wrong = requests.post(machine.token_url, data={"grant_type": "client_credentials"},
                          auth=(machine.client_id, "wrong"), timeout=15)
    assert unknown.status_code == wrong.status_code == 400
    assert unknown.json() == wrong.json() and unknown.json()["error"] == "invalid_client"
    revoke_url = machine.token_url.replace("/oauth2/token", "/oauth2/revoke")
    for auth in (("nosuchclient", machine.secret), (machine.client_id, "wrong")):
        refused = requests.post(revoke_url, data={"token": "whatever"}, auth=auth, timeout=15)
        assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"


def test_a_refresh_grant_without_a_refresh_token_is_invalid_request(hosted: HostedPool) -> None:
    answer = requests.post(f"{hosted.base}/oauth2/token", timeout=10,
                           data={"grant_type": "refresh_token", "client_id": hosted.pool.client_id})
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"


def test_a_retired_scope_is_left_out_of_the_token(idp: Any, machine: Machine) -> None:
    idp.update_resource_server(UserPoolId=machine.pool.pool_id, Identifier="items-api", Name="items",
                               Scopes=[{"ScopeName": "items.read", "ScopeDescription": "read"}])  # write retired
    both = machine.token(scope=f"{READ} {WRITE}")
    assert both.status_code == 200, both.text
    granted = jwt.decode(both.json()["access_token"], options={"verify_signature": False})["scope"].split()
    assert READ in granted and WRITE not in granted  # (the test trigger adds extra/scope)
    only_retired = machine.token(scope=WRITE)
    assert only_retired.status_code == 400 and only_retired.json()["error"] == "invalid_scope"
    never_allowed = machine.token(scope="items-api/other")
    assert never_allowed.status_code == 400 and never_allowed.json()["error"] == "invalid_scope"


# -- User existence in confirmation and recovery ---------------------------------------------------


def _hiding_client(idp: Any, pool: Pool, setting: str) -> str:
    return str(idp.create_user_pool_client(UserPoolId=pool.pool_id, ClientName=unique("c"),
                                           PreventUserExistenceErrors=setting)["UserPoolClient"]["ClientId"])


def test_legacy_tells_an_unknown_user(idp: Any, lam: Any) -> None:
    pool = make_pool(idp, lam, None)
    client = _hiding_client(idp, pool, "LEGACY")
    for call, params in {"forgot_password": {}, "resend_confirmation_code": {},
                         "confirm_sign_up": {"ConfirmationCode": "123456"},
                         "confirm_forgot_password": {"ConfirmationCode": "123456", "Password": PASSWORD}}.items():
        with pytest.raises(ClientError) as unknown:
            getattr(idp, call)(ClientId=client, Username="ghost", **params)
        assert error(unknown) == ("UserNotFoundException", "Username/client id combination not found."), call


def test_enabled_answers_for_an_unknown_user_as_for_a_known_one(idp: Any, lam: Any) -> None:
    pool = make_pool(idp, lam, None)
    client = _hiding_client(idp, pool, "ENABLED")
    make_user(idp, pool, "gina")
    known = idp.forgot_password(ClientId=client, Username="gina")["CodeDeliveryDetails"]
    ghost = idp.forgot_password(ClientId=client, Username="ghost")["CodeDeliveryDetails"]
    assert known == {"Destination": "g***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    assert set(ghost) == set(known) and ghost["Destination"].startswith("g***@") and ghost["Destination"].endswith("***")
    assert idp.forgot_password(ClientId=client, Username="ghost")["CodeDeliveryDetails"] == ghost  # stable
    resent = idp.resend_confirmation_code(ClientId=client, Username="ghost")["CodeDeliveryDetails"]
    assert resent["DeliveryMedium"] == "EMAIL"
    for call, params in {"confirm_sign_up": {"ConfirmationCode": "123456"},
                         "confirm_forgot_password": {"ConfirmationCode": "123456", "Password": PASSWORD}}.items():
        with pytest.raises(ClientError) as mismatch:
            getattr(idp, call)(ClientId=client, Username="ghost", **params)
        assert error(mismatch)[0] == "CodeMismatchException", call
    with pytest.raises(ClientError) as confirmed:
        idp.resend_confirmation_code(ClientId=client, Username="gina")
    assert error(confirmed) == ("InvalidParameterException", "User is already confirmed.")


def test_resend_confirmation_code_for_a_new_user(idp: Any, lam: Any) -> None:
    pool = make_pool(idp, lam, None)
    name = unique("dan")
    idp.sign_up(ClientId=pool.client_id, Username=name, Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "dan@example.org"}])
    resent = idp.resend_confirmation_code(ClientId=pool.client_id, Username=name)
    assert resent["CodeDeliveryDetails"] == {"Destination": "d***@e***", "DeliveryMedium": "EMAIL",
                                             "AttributeName": "email"}
    with pytest.raises(ClientError) as no_client:
        idp.resend_confirmation_code(ClientId="nosuchclient", Username=name)
    assert error(no_client)[0] == "ResourceNotFoundException"


# -- Pools and the Cognito authorizer --------------------------------------------------------------


def test_a_pool_made_without_a_plan_is_on_essentials(idp: Any) -> None:
    pool = idp.create_user_pool(PoolName=unique("plain"))["UserPool"]
    assert pool["UserPoolTier"] == "ESSENTIALS"
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["UserPoolTier"] == "ESSENTIALS"
    lite = idp.create_user_pool(PoolName=unique("lite"), UserPoolTier="LITE")["UserPool"]
    idp.update_user_pool(UserPoolId=lite["Id"], MfaConfiguration="OFF")
    assert idp.describe_user_pool(UserPoolId=lite["Id"])["UserPool"]["UserPoolTier"] == "LITE"


ECHO = """
def handler(event, context):
    return {"statusCode": 200, "body": event["requestContext"]["authorizer"]["claims"]["cognito:username"]}
"""


def test_the_cognito_authorizer_takes_the_token_with_or_without_bearer(clients: Any, endpoint: str) -> None:
    idp, lam, gateway = clients("cognito-idp"), clients("lambda"), clients("apigateway")
    pool = make_pool(idp, lam, None)
    make_user(idp, pool, "erin")
    id_token = idp.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "erin", "PASSWORD": PASSWORD})["AuthenticationResult"]["IdToken"]
    api = gateway.create_rest_api(name=unique("api"))["id"]
    root = gateway.get_resources(restApiId=api)["items"][0]["id"]
    me = gateway.create_resource(restApiId=api, parentId=root, pathPart="me")["id"]
    authorizer = gateway.create_authorizer(restApiId=api, name="pool", type="COGNITO_USER_POOLS",
                                           providerARNs=[pool.pool_arn],
                                           identitySource="method.request.header.Authorization")["id"]
    gateway.put_method(restApiId=api, resourceId=me, httpMethod="GET", authorizationType="COGNITO_USER_POOLS",
                       authorizerId=authorizer)
    function = make_function(lam, ECHO)
    gateway.put_integration(restApiId=api, resourceId=me, httpMethod="GET", type="AWS_PROXY",
                            integrationHttpMethod="POST",
                            uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function}/invocations")
    lam.add_permission(FunctionName=function, StatementId="apigw", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com")
    gateway.create_deployment(restApiId=api, stageName="test")
    url = f"{endpoint}/execute-api/{api}/test/me"
    for header in (id_token, f"Bearer {id_token}"):
        answer = requests.get(url, headers={"Authorization": header}, timeout=30)
        assert answer.status_code == 200 and answer.text == "erin", answer.text
    assert requests.get(url, headers={"Authorization": "Bearer "}, timeout=30).status_code == 401
    assert requests.get(url, headers={"Authorization": f"Basic {id_token}"}, timeout=30).status_code == 401
