"""Unit tier for signing in from the CLI (signin.py, login.py), with botocore's Stubber for Cognito and a
locally signed token for the verifier (no emulator, no moto): what each Cognito answer becomes for the user."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from botocore.stub import Stubber
from cryptography.hazmat.primitives.asymmetric import rsa

from claimsctl import login, signin
from claimsctl.aws import Aws
from claimsctl.errors import SignInError
from claimsctl.outputs import StackOutputs
from claimsctl_runtime import tokens
from tests.unit.conftest import Stubbed

POOL = "us-east-1_Unit"
CLIENT = "unitclient"
PASSWORD = "Not-Shown-1!"
CALL = {"ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}


@pytest.fixture
def idp(stubbed: Callable[[str], Stubbed]) -> Stubbed:
    return stubbed("cognito-idp")


def _error(stubber: Stubber, code: str, message: str) -> None:
    stubber.add_client_error("initiate_auth", code, message, 400, expected_params=CALL)


def test_tokens_come_back_and_never_show_in_a_repr(idp: tuple[Any, Stubber]) -> None:
    client, stubber = idp
    stubber.add_response("initiate_auth", {"AuthenticationResult": {
        "IdToken": "id.token.value", "AccessToken": "access.token.value", "RefreshToken": "refresh", "ExpiresIn": 900}},
        CALL)
    issued = signin.sign_in(client, CLIENT, "alice", PASSWORD)
    assert (issued.id_token, issued.access_token, issued.expires_in) == ("id.token.value", "access.token.value", 900)
    assert "token" not in repr(issued) and "refresh" not in repr(issued)


@pytest.mark.parametrize(("code", "expected"), [
    ("NotAuthorizedException", "incorrect user name or password"),
    ("UserNotFoundException", "incorrect user name or password"),  # the same words: no user enumeration
    ("UserLambdaValidationException", "the pre token generation trigger failed"),
    ("ResourceNotFoundException", "run `claimsctl deploy`"),
    ("TooManyRequestsException", "Sign-in failed for alice: slow down"),
])
def test_each_cognito_refusal_gets_a_message_that_says_what_to_do(idp: tuple[Any, Stubber], code: str,
                                                                   expected: str) -> None:
    client, stubber = idp
    _error(stubber, code, "slow down")
    with pytest.raises(SignInError) as refused:
        signin.sign_in(client, CLIENT, "alice", PASSWORD)
    assert expected in str(refused.value)
    assert PASSWORD not in str(refused.value)


def test_a_challenge_names_itself_and_the_command_that_clears_it(idp: tuple[Any, Stubber]) -> None:
    client, stubber = idp
    stubber.add_response("initiate_auth", {"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": "s" * 40,
                                           "ChallengeParameters": {}}, CALL)
    with pytest.raises(SignInError, match=r"NEW_PASSWORD_REQUIRED.*claimsctl add-user --username alice --password-stdin"):
        signin.sign_in(client, CLIENT, "alice", PASSWORD)


class _StubbedAws(Aws):
    def __init__(self, client: Any) -> None:
        super().__init__(region="us-east-1")
        self._clients["cognito-idp"] = client


def _serve_jwks(monkeypatch: pytest.MonkeyPatch, jwk: dict[str, Any]) -> None:
    """The verifier session.login builds, with its JWKS answered here (no network)."""
    original = login.verifier

    def with_local_jwks(*args: Any, **kwargs: Any) -> tokens.CognitoVerifier:
        built = original(*args, **kwargs)
        built.jwks = tokens.JwksCache(fetch=lambda url: {"keys": [jwk]})
        return built

    monkeypatch.setattr(login, "verifier", with_local_jwks)


def _signed(key: Any, **claims: Any) -> str:
    now = int(time.time())
    base = {"iss": f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}", "iat": now, "exp": now + 600,
            "auth_time": now, "sub": "sub-1", "jti": "j"}
    return jwt.encode({**base, **claims}, key, algorithm="RS256", headers={"kid": "unit-kid"})


def test_login_verifies_both_tokens_against_the_pools_keys(idp: tuple[Any, Stubber],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    client, stubber = idp
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())), "kid": "unit-kid", "alg": "RS256"}
    _serve_jwks(monkeypatch, jwk)
    id_token = _signed(key, token_use="id", aud=CLIENT, projects="p1,p2")
    access_token = _signed(key, token_use="access", client_id=CLIENT, scope="aws.cognito.signin.user.admin")
    stubber.add_response("initiate_auth", {"AuthenticationResult": {
        "IdToken": id_token, "AccessToken": access_token, "ExpiresIn": 600}}, CALL)
    outputs = StackOutputs("us-east-1", POOL, CLIENT, "https://h", "users", "projects", "V1_0")
    result = login.login(_StubbedAws(client), outputs, "alice", PASSWORD)
    assert result.id_claims["projects"] == "p1,p2"
    assert result.access_claims["token_use"] == "access"


def test_login_refuses_a_token_the_pool_did_not_sign(idp: tuple[Any, Stubber], monkeypatch: pytest.MonkeyPatch) -> None:
    client, stubber = idp
    pool_key, other_key = (rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2))
    jwk = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(pool_key.public_key())), "kid": "unit-kid", "alg": "RS256"}
    _serve_jwks(monkeypatch, jwk)
    forged = _signed(other_key, token_use="id", aud=CLIENT, projects="everything")
    stubber.add_response("initiate_auth", {"AuthenticationResult": {
        "IdToken": forged, "AccessToken": forged, "ExpiresIn": 600}}, CALL)
    outputs = StackOutputs("us-east-1", POOL, CLIENT, "https://h", "users", "projects", "V1_0")
    with pytest.raises(tokens.InvalidSignature):
        login.login(_StubbedAws(client), outputs, "alice", PASSWORD)


def test_a_totp_challenge_is_answered_with_the_code_the_user_gives(idp: tuple[Any, Stubber]) -> None:
    client, stubber = idp
    stubber.add_response("initiate_auth", {"ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": "s" * 40,
                                           "ChallengeParameters": {}}, CALL)
    stubber.add_response("respond_to_auth_challenge", {"AuthenticationResult": {
        "IdToken": "i.d.t", "AccessToken": "a.c.t", "ExpiresIn": 600}}, {
        "ClientId": CLIENT, "ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": "s" * 40,
        "ChallengeResponses": {"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": "123456"}})
    second = signin.SecondFactor(code=lambda: "123456", enrol=lambda uri: None)
    assert signin.sign_in(client, CLIENT, "alice", PASSWORD, second).id_token == "i.d.t"


def test_a_totp_challenge_without_a_way_to_answer_says_how(idp: tuple[Any, Stubber]) -> None:
    client, stubber = idp
    stubber.add_response("initiate_auth", {"ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": "s" * 40,
                                           "ChallengeParameters": {}}, CALL)
    with pytest.raises(SignInError, match="--totp-code-stdin"):
        signin.sign_in(client, CLIENT, "alice", PASSWORD)


def test_the_enrolment_uri_is_what_authenticator_apps_scan() -> None:
    uri = signin.otpauth_uri("JBSWY3DPEHPK3PXP", "alice smith", "claimsctl-demo")
    assert uri.startswith("otpauth://totp/claimsctl-demo:alice%20smith?secret=JBSWY3DPEHPK3PXP&issuer=claimsctl-demo")
