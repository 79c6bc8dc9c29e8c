"""Signing keys of their own per pool, and SRP sign-in that checks the password (with pycognito, an SRP client
nobody here wrote).

Cognito: each user pool has its own key pairs, published at
https://cognito-idp.{region}.amazonaws.com/{userPoolId}/.well-known/jwks.json
(https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html);
USER_SRP_AUTH answers PASSWORD_VERIFIER with NotAuthorizedException for a wrong password
(https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow-methods.html).
"""

from __future__ import annotations

import gzip
import json
import urllib.request
from pathlib import Path
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from claimsctl_runtime import tokens
from tests.emulator.helpers import PASSWORD, make_pool, make_user

MOTO_KEY = Path(jwt.__file__).parents[1] / "moto" / "cognitoidp" / "resources" / "jwks-private.json.gz"


def jwks(endpoint: str, pool_id: str) -> dict[str, Any]:
    return json.loads(urllib.request.urlopen(f"{endpoint}/{pool_id}/.well-known/jwks.json").read())  # type: ignore[no-any-return]


def srp_client(idp: Any, pool: Any, username: str, password: str) -> AWSSRP:
    return AWSSRP(username=username, password=password, pool_id=pool.pool_id, client_id=pool.client_id, client=idp)


@pytest.fixture
def srp_pool(idp: Any, lam: Any) -> Any:
    pool = make_pool(idp, lam, None)
    idp.update_user_pool_client(UserPoolId=pool.pool_id, ClientId=pool.client_id,
                                ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    make_user(idp, pool)
    return pool


def test_no_two_pools_share_a_key(idp: Any, lam: Any, endpoint: str) -> None:
    first, second = make_pool(idp, lam, None), make_pool(idp, lam, None)
    kids = [k["kid"] for pool in (first, second) for k in jwks(endpoint, pool.pool_id)["keys"]]
    assert len(kids) == 4 and len(set(kids)) == 4 and "dummy" not in kids
    moduli = [k["n"] for pool in (first, second) for k in jwks(endpoint, pool.pool_id)["keys"]]
    assert len(set(moduli)) == 4


def test_a_token_signed_with_motos_published_key_is_refused(idp: Any, lam: Any, endpoint: str) -> None:
    pool = make_pool(idp, lam, None)
    private = json.loads(gzip.decompress(MOTO_KEY.read_bytes()))
    forged = jwt.encode({"iss": f"https://cognito-idp.us-east-1.amazonaws.com/{pool.pool_id}", "aud": pool.client_id,
                         "token_use": "id", "sub": "x", "exp": 2_000_000_000, "iat": 1_700_000_000},
                        jwt.PyJWK(private).key, algorithm="RS256", headers={"kid": private.get("kid", "dummy")})
    verifier = tokens.CognitoVerifier(pool.pool_id, "us-east-1", (pool.client_id,), endpoint_url=endpoint)
    with pytest.raises(tokens.UnknownKey):
        verifier.verify(forged)


def test_srp_sign_in_checks_the_password(idp: Any, srp_pool: Any, endpoint: str) -> None:
    result = srp_client(idp, srp_pool, "alice", PASSWORD).authenticate_user()["AuthenticationResult"]
    verifier = tokens.CognitoVerifier(srp_pool.pool_id, "us-east-1", (srp_pool.client_id,), endpoint_url=endpoint)
    assert verifier.verify(result["IdToken"])["cognito:username"] == "alice"
    with pytest.raises(ClientError) as refused:
        srp_client(idp, srp_pool, "alice", "Wrong-Passw0rd!x").authenticate_user()
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert refused.value.response["Error"]["Message"] == "Incorrect username or password."


def test_the_verifier_challenge_accepts_user_id_for_srp_as_the_username(idp: Any, srp_pool: Any) -> None:
    client = srp_client(idp, srp_pool, "alice", PASSWORD)
    challenge = idp.initiate_auth(ClientId=srp_pool.client_id, AuthFlow="USER_SRP_AUTH",
                                  AuthParameters=client.get_auth_params())
    parameters = challenge["ChallengeParameters"]
    responses = client.process_challenge(parameters, {"USERNAME": "alice"})
    responses["USERNAME"] = parameters["USER_ID_FOR_SRP"]  # what amazon-cognito-identity-js sends
    answer = idp.respond_to_auth_challenge(ClientId=srp_pool.client_id, ChallengeName="PASSWORD_VERIFIER",
                                           ChallengeResponses=responses)
    assert "IdToken" in answer["AuthenticationResult"]
    with pytest.raises(ClientError):  # a proof is good once
        idp.respond_to_auth_challenge(ClientId=srp_pool.client_id, ChallengeName="PASSWORD_VERIFIER",
                                      ChallengeResponses=responses)
