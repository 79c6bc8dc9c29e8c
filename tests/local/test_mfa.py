"""TOTP software-token MFA on the emulator, as Cognito does it: a secret per user, codes checked (RFC 6238,
one step of skew), a code good once, MFA_SETUP answered only after a verified token, and the pre token
generation trigger run once per completed sign-in, after the second factor.
https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa-totp.html"""

from __future__ import annotations

import base64
import time
from typing import Any

import jwt
import pytest
import requests
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from tests.local.helpers import PASSWORD, Pool, make_function, make_pool, make_user
from tests.local.test_hosted_ui import HostedPool, authorize_params, hosted, pkce
from tests.local.test_hosted_ui import sign_in as hosted_sign_in

__all__ = ["hosted"]  # the fixture, shared with the hosted UI's tests

TRIGGER = """
def handler(event, context):
    event["response"]["claimsOverrideDetails"] = {"claimsToAddOrOverride": {"projects": "p1,p2"}}
    return event
"""


def code(secret: str, offset_steps: int = 0) -> str:
    totp = TOTP(base64.b32decode(secret), 6, SHA1(), 30, enforce_key_length=False)  # noqa: S303 - RFC 6238
    return totp.generate(time.time() + 30 * offset_steps).decode()


@pytest.fixture
def mfa_pool(idp: Any, lam: Any) -> tuple[Pool, str]:
    function_arn = make_function(lam, TRIGGER)
    pool = make_pool(idp, lam, function_arn)
    idp.set_user_pool_mfa_config(UserPoolId=pool.pool_id, MfaConfiguration="ON",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    make_user(idp, pool, "alice")
    return pool, function_arn.rsplit(":", 1)[-1]


def invocations(endpoint: str, function: str) -> int:
    stats = requests.get(f"{endpoint}/_claimsctl/stats", timeout=10).json()
    return int(stats["lambda_invocations"].get(function, 0))


def start(idp: Any, pool: Pool) -> dict[str, Any]:
    return idp.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",  # type: ignore[no-any-return]
                             AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})


def enrol(idp: Any, pool: Pool) -> tuple[str, dict[str, Any]]:
    challenge = start(idp, pool)
    assert challenge["ChallengeName"] == "MFA_SETUP" and "AuthenticationResult" not in challenge
    secret = idp.associate_software_token(Session=challenge["Session"])["SecretCode"]
    verified = idp.verify_software_token(Session=challenge["Session"], UserCode=code(secret))
    answer = idp.respond_to_auth_challenge(ClientId=pool.client_id, ChallengeName="MFA_SETUP",
                                           Session=verified["Session"], ChallengeResponses={"USERNAME": "alice"})
    return secret, answer


def test_a_required_pool_makes_a_new_user_set_up_totp_before_any_token(idp: Any, mfa_pool: tuple[Pool, str],
                                                                       endpoint: str) -> None:
    pool, function = mfa_pool
    challenge = start(idp, pool)
    assert challenge["ChallengeName"] == "MFA_SETUP"
    assert invocations(endpoint, function) == 0  # no token minted, so no trigger run
    secret = idp.associate_software_token(Session=challenge["Session"])["SecretCode"]
    assert len(secret) == 32 and secret != "asdfasdfasdf"  # moto's one shared secret is never used
    with pytest.raises(ClientError) as skipped:  # answering without a verified token gets nothing
        idp.respond_to_auth_challenge(ClientId=pool.client_id, ChallengeName="MFA_SETUP",
                                      Session=challenge["Session"], ChallengeResponses={"USERNAME": "alice"})
    assert skipped.value.response["Error"]["Code"] == "NotAuthorizedException"
    with pytest.raises(ClientError) as wrong:
        idp.verify_software_token(Session=challenge["Session"], UserCode=code(secret, offset_steps=5))
    assert wrong.value.response["Error"]["Code"] == "CodeMismatchException"
    verified = idp.verify_software_token(Session=challenge["Session"], UserCode=code(secret))
    answer = idp.respond_to_auth_challenge(ClientId=pool.client_id, ChallengeName="MFA_SETUP",
                                           Session=verified["Session"], ChallengeResponses={"USERNAME": "alice"})
    claims = jwt.decode(answer["AuthenticationResult"]["IdToken"], options={"verify_signature": False})
    assert claims["projects"] == "p1,p2"
    assert invocations(endpoint, function) == 1


def test_each_sign_in_needs_a_fresh_code_and_the_claim_comes_only_after_it(idp: Any, mfa_pool: tuple[Pool, str],
                                                                           endpoint: str) -> None:
    pool, function = mfa_pool
    secret, _ = enrol(idp, pool)
    before = invocations(endpoint, function)
    challenge = start(idp, pool)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and "AuthenticationResult" not in challenge
    assert invocations(endpoint, function) == before

    def answer(value: str) -> dict[str, Any]:
        return idp.respond_to_auth_challenge(  # type: ignore[no-any-return]
            ClientId=pool.client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": value})

    for refused in ("000000" if code(secret) != "000000" else "111111", code(secret)):  # wrong; already used
        with pytest.raises(ClientError) as mismatch:
            answer(refused)
        assert mismatch.value.response["Error"]["Code"] == "CodeMismatchException"
    tokens = answer(code(secret, offset_steps=1))["AuthenticationResult"]  # the next step: within the skew
    assert jwt.decode(tokens["IdToken"], options={"verify_signature": False})["projects"] == "p1,p2"
    assert invocations(endpoint, function) == before + 1


def test_the_hosted_ui_never_hands_out_tokens_without_the_second_factor(idp: Any, hosted: HostedPool) -> None:
    idp.set_user_pool_mfa_config(UserPoolId=hosted.pool.pool_id, MfaConfiguration="ON",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    page = hosted_sign_in(hosted, authorize_params(hosted, pkce()[1]))
    assert page.status_code != 302 and "Location" not in page.headers  # no code, so no tokens
    assert "MFA" in page.text and "claimsctl login" in page.text
