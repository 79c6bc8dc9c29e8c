"""TOTP software-token MFA on the emulator, as Cognito does it: a secret per user, codes checked (RFC 6238,
one step of skew), a code good once, MFA_SETUP answered only after a verified token, and the pre token
generation trigger run once per completed sign-in, after the second factor.
https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa-totp.html"""

from __future__ import annotations

import base64
import html
import re
import time
from typing import Any

import jwt
import pytest
import requests
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from tests.emulator.helpers import PASSWORD, Pool, make_function, make_pool, make_user
from tests.emulator.test_hosted_ui import HostedPool, authorize_params, code_from, exchange, hosted, pkce
from tests.emulator.test_hosted_ui import sign_in as hosted_sign_in

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


def _mfa_form(page: requests.Response) -> tuple[str, dict[str, str]]:
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action is not None, page.text
    return html.unescape(action.group(1)), {k: html.unescape(v) for k, v in hidden.items()}


def test_the_hosted_ui_sets_up_totp_then_asks_for_a_code_before_any_token(idp: Any, hosted: HostedPool) -> None:
    idp.set_user_pool_mfa_config(UserPoolId=hosted.pool.pool_id, MfaConfiguration="ON",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    verifier, challenge = pkce()
    setup = hosted_sign_in(hosted, authorize_params(hosted, challenge))
    assert setup.status_code == 200 and "Set up an authenticator" in setup.text and "<svg" in setup.text
    key = re.search(r'<code id="totp-key">([A-Z2-7]{32})</code>', setup.text)
    assert key is not None
    action, fields = _mfa_form(setup)
    wrong = requests.post(action, data={**fields, "code": code(key.group(1), offset_steps=5)}, allow_redirects=False,
                          timeout=10)
    assert wrong.status_code == 400 and "not right" in wrong.text
    done = requests.post(action, data={**fields, "code": code(key.group(1))}, allow_redirects=False, timeout=10)
    assert done.status_code == 302, done.text
    tokens = exchange(hosted, code_from(done), verifier).json()
    assert "id_token" in tokens

    verifier, challenge = pkce()  # the next sign-in: a code, no key shown
    asked = hosted_sign_in(hosted, authorize_params(hosted, challenge))
    assert "Verify it's you" in asked.text and "totp-key" not in asked.text
    action, fields = _mfa_form(asked)
    reused = requests.post(action, data={**fields, "code": code(key.group(1))}, allow_redirects=False, timeout=10)
    assert reused.status_code == 400  # the code used at set-up is good once
    done = requests.post(action, data={**fields, "code": code(key.group(1), offset_steps=1)}, allow_redirects=False,
                         timeout=10)
    assert done.status_code == 302 and "id_token" in exchange(hosted, code_from(done), verifier).json()
