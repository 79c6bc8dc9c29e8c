"""The pre token generation trigger on every token issue, with Cognito's rules, as boto3 callers see it."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

from tests.emulator.helpers import PASSWORD, Pool, make_function, make_pool, make_user, sign_in

ECHO_SOURCE = """
def handler(event, context):
    claims = {"source": event["triggerSource"], "event_version": event["version"],
              "status": event["request"]["userAttributes"]["cognito:user_status"]}
    if event["version"] == "1":
        event["response"] = {"claimsOverrideDetails": {"claimsToAddOrOverride": claims}}
    else:
        claims["scopes"] = event["request"]["scopes"]
        add = {"claimsToAddOrOverride": claims}
        event["response"] = {"claimsAndScopeOverrideDetails": {"idTokenGeneration": add, "accessTokenGeneration": add}}
    return event
"""


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})  # type: ignore[no-any-return]


def trigger_pool(idp: Any, lam: Any, source: str, version: str = "V1_0", **kwargs: Any) -> Pool:
    pool = make_pool(idp, lam, make_function(lam, source, timeout=kwargs.pop("timeout", 3)), version, **kwargs)
    make_user(idp, pool)
    return pool


def error_of(call: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_v1_changes_the_id_token_only_for_every_trigger_source(idp: Any, lam: Any) -> None:
    pool = trigger_pool(idp, lam, ECHO_SOURCE)
    tokens = sign_in(idp, pool)
    id_claims, access_claims = claims_of(tokens["IdToken"]), claims_of(tokens["AccessToken"])
    assert (id_claims["source"], id_claims["event_version"], id_claims["status"]) == (
        "TokenGeneration_Authentication", "1", "CONFIRMED")
    assert "source" not in access_claims

    refreshed = idp.initiate_auth(ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})["AuthenticationResult"]
    assert claims_of(refreshed["IdToken"])["source"] == "TokenGeneration_RefreshTokens"

    admin = idp.admin_initiate_auth(UserPoolId=pool.pool_id, ClientId=pool.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert claims_of(admin["AuthenticationResult"]["IdToken"])["source"] == "TokenGeneration_Authentication"


def test_new_password_challenge_runs_the_trigger_with_its_source(idp: Any, lam: Any) -> None:
    pool = make_pool(idp, lam, make_function(lam, ECHO_SOURCE))
    make_user(idp, pool, "newbie", permanent=False)
    challenge = idp.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": "newbie", "PASSWORD": PASSWORD})
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    answered = idp.respond_to_auth_challenge(
        ClientId=pool.client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "newbie", "NEW_PASSWORD": "N3w-Passw0rd!x"})
    assert claims_of(answered["AuthenticationResult"]["IdToken"])["source"] == "TokenGeneration_NewPasswordChallenge"


def test_v2_changes_both_tokens_and_scopes(idp: Any, lam: Any) -> None:
    pool = trigger_pool(idp, lam, """
def handler(event, context):
    event["response"] = {"claimsAndScopeOverrideDetails": {
        "idTokenGeneration": {"claimsToAddOrOverride": {"projects": ["p1", "p2"], "tier": {"level": 2}}},
        "accessTokenGeneration": {"claimsToAddOrOverride": {"projects": ["p1", "p2"], "gone": "x"},
                                  "claimsToSuppress": ["gone"],
                                  "scopesToAdd": ["projects/read"],
                                  "scopesToSuppress": ["aws.cognito.signin.user.admin"]}}}
    return event
""", version="V2_0")
    tokens = sign_in(idp, pool)
    id_claims, access_claims = claims_of(tokens["IdToken"]), claims_of(tokens["AccessToken"])
    assert id_claims["projects"] == ["p1", "p2"] and id_claims["tier"] == {"level": 2}
    assert access_claims["projects"] == ["p1", "p2"]
    assert "gone" not in access_claims  # suppression wins over addition
    assert access_claims["scope"] == "projects/read"


def test_v2_event_carries_scopes_and_version(idp: Any, lam: Any) -> None:
    pool = trigger_pool(idp, lam, ECHO_SOURCE, version="V2_0")
    access_claims = claims_of(sign_in(idp, pool)["AccessToken"])
    assert access_claims["event_version"] == "2"
    assert access_claims["scopes"] == ["aws.cognito.signin.user.admin"]


def test_reserved_claims_cannot_be_changed(idp: Any, lam: Any) -> None:
    pool = trigger_pool(idp, lam, """
def handler(event, context):
    event["response"] = {"claimsOverrideDetails": {
        "claimsToAddOrOverride": {"sub": "forged", "iss": "https://evil", "cognito:username": "root", "ok": "yes"},
        "claimsToSuppress": ["aud", "exp", "token_use"]}}
    return event
""")
    id_claims = claims_of(sign_in(idp, pool)["IdToken"])
    assert id_claims["sub"] != "forged" and id_claims["iss"].startswith("https://cognito-idp.")
    assert id_claims["cognito:username"] == "alice"
    assert {"aud", "exp", "token_use"} <= set(id_claims)
    assert id_claims["ok"] == "yes"


def test_group_override_replaces_groups_in_both_tokens(idp: Any, lam: Any) -> None:
    pool = make_pool(idp, lam, make_function(lam, """
def handler(event, context):
    assert event["request"]["groupConfiguration"]["groupsToOverride"] == ["readers"]
    event["response"] = {"claimsOverrideDetails": {"groupOverrideDetails": {"groupsToOverride": ["auditors"]}}}
    return event
"""), groups=("readers",))
    make_user(idp, pool, groups=("readers",))
    tokens = sign_in(idp, pool)
    assert claims_of(tokens["IdToken"])["cognito:groups"] == ["auditors"]
    assert claims_of(tokens["AccessToken"])["cognito:groups"] == ["auditors"]


def test_v1_accepts_strings_only(idp: Any, lam: Any) -> None:
    pool = trigger_pool(idp, lam, """
def handler(event, context):
    event["response"] = {"claimsOverrideDetails": {"claimsToAddOrOverride": {"projects": ["p1"]}}}
    return event
""")
    assert error_of(lambda: sign_in(idp, pool))[0] == "InvalidLambdaResponseException"


@pytest.mark.parametrize("body", ['return "not an event"', 'return {"response": {"claimsOverrideDetails": 7}}'])
def test_garbage_output_is_an_invalid_lambda_response(idp: Any, lam: Any, body: str) -> None:
    pool = trigger_pool(idp, lam, f"def handler(event, context):\n    {body}\n")
    assert error_of(lambda: sign_in(idp, pool))[0] == "InvalidLambdaResponseException"


def test_a_raising_trigger_fails_sign_in_and_the_next_one_works(idp: Any, lam: Any) -> None:
    pool = trigger_pool(idp, lam, """
def handler(event, context):
    if event["userName"] == "alice":
        raise Exception("projects unavailable")
    return event
""")
    code, message = error_of(lambda: sign_in(idp, pool))
    assert (code, message) == ("UserLambdaValidationException", "PreTokenGeneration failed with error projects unavailable.")
    make_user(idp, pool, "bob")
    assert sign_in(idp, pool, "bob")["IdToken"]


def test_without_permission_cognito_cannot_invoke(idp: Any, lam: Any) -> None:
    pool = trigger_pool(idp, lam, ECHO_SOURCE, permit=False)
    code, message = error_of(lambda: sign_in(idp, pool))
    assert code == "UnexpectedLambdaException"
    assert message == "PreTokenGeneration invocation failed due to error AccessDeniedException."


def test_permission_for_another_pool_is_not_enough(idp: Any, lam: Any) -> None:
    arn = make_function(lam, ECHO_SOURCE)
    other = make_pool(idp, lam, arn)
    pool = make_pool(idp, lam, arn, permit=False)
    make_user(idp, pool)
    assert other.pool_arn != pool.pool_arn
    assert error_of(lambda: sign_in(idp, pool))[0] == "UnexpectedLambdaException"


def test_a_trigger_slower_than_five_seconds_fails_sign_in(idp: Any, lam: Any, endpoint: str) -> None:
    """Cognito gives each attempt 5 s and makes 3 attempts (the Lambda triggers guide), then fails the sign-in."""
    pool = trigger_pool(idp, lam, """
import time
def handler(event, context):
    time.sleep(20)
    return event
""", timeout=30)
    config = idp.describe_user_pool(UserPoolId=pool.pool_id)["UserPool"]["LambdaConfig"]
    function = config["PreTokenGenerationConfig"]["LambdaArn"].split(":")[-1]
    before = requests.get(f"{endpoint}/_claimsctl/stats", timeout=10).json()["lambda_invocations"].get(function, 0)
    started = time.monotonic()
    code, message = error_of(lambda: sign_in(idp, pool))
    assert time.monotonic() - started > 14.5  # three attempts of 5 s each (a lower bound: never faster)
    assert code == "UnexpectedLambdaException"
    assert "Socket timeout while invoking Lambda function" in message
    after = requests.get(f"{endpoint}/_claimsctl/stats", timeout=10).json()["lambda_invocations"].get(function, 0)
    assert after - before == 3


def test_tokens_verify_against_the_served_jwks(idp: Any, lam: Any, endpoint: str) -> None:
    pool = trigger_pool(idp, lam, ECHO_SOURCE)
    tokens = sign_in(idp, pool)
    jwks = json.loads(urllib.request.urlopen(f"{endpoint}/{pool.pool_id}/.well-known/jwks.json").read())
    header = jwt.get_unverified_header(tokens["IdToken"])
    key = next(jwt.PyJWK(k) for k in jwks["keys"] if k["kid"] == header["kid"])
    claims = jwt.decode(tokens["IdToken"], key.key, algorithms=["RS256"], audience=pool.client_id,
                        issuer=f"https://cognito-idp.us-east-1.amazonaws.com/{pool.pool_id}",
                        options={"require": ["exp", "iat", "iss", "aud"]})
    assert claims["token_use"] == "id" and claims["exp"] - claims["iat"] == 3600
    access_kid = jwt.get_unverified_header(tokens["AccessToken"])["kid"]
    access_key = next(jwt.PyJWK(k) for k in jwks["keys"] if k["kid"] == access_kid)
    assert access_kid != header["kid"]  # ID and access tokens have keys of their own
    access = jwt.decode(tokens["AccessToken"], access_key.key, algorithms=["RS256"],
                        issuer=f"https://cognito-idp.us-east-1.amazonaws.com/{pool.pool_id}")
    assert access["token_use"] == "access" and access["client_id"] == pool.client_id
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"{endpoint}/us-east-1_missing/.well-known/jwks.json")


def test_a_pool_without_a_trigger_issues_default_tokens(idp: Any, lam: Any) -> None:
    pool = make_pool(idp, lam, None)
    make_user(idp, pool)
    id_claims = claims_of(sign_in(idp, pool)["IdToken"])
    assert id_claims["cognito:username"] == "alice" and id_claims["email"] == "alice@example.com"


def test_a_flow_the_client_has_not_enabled_is_refused(idp: Any, lam: Any) -> None:
    pool = make_pool(idp, lam, None)
    make_user(idp, pool)
    idp.update_user_pool_client(UserPoolId=pool.pool_id, ClientId=pool.client_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    code, message = error_of(lambda: sign_in(idp, pool))
    assert (code, message) == ("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
