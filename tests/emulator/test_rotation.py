"""Refresh-token rotation as Cognito documents it, with plain boto3 and HTTP:
RefreshTokenRotationType (Feature, RetryGracePeriodSeconds 0-60), GetTokensFromRefreshToken returning a new
refresh token, the grace period of the one it replaces (on the emulator's clock), REFRESH_TOKEN_AUTH refused for a
rotating client, the token endpoint's refresh_token grant, and the plan rule.
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RefreshTokenRotationType.html
https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-refresh-token.html"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import unique
from tests.emulator.helpers import PASSWORD, Pool, make_user

FLOWS = ["ALLOW_USER_PASSWORD_AUTH"]  # AWS asks rotating clients to leave ALLOW_REFRESH_TOKEN_AUTH out


@pytest.fixture
def clock(endpoint: str) -> Iterator[Any]:
    """Moves the emulator's clock forward; put back when the test ends."""
    from claimsctl.local import clock as emulator_clock

    def advance(seconds: float) -> None:
        requests.post(f"{endpoint}/_claimsctl/clock", json={"advance": seconds}, timeout=10).raise_for_status()

    yield advance
    emulator_clock.reset()


def _rotating_pool(idp: Any, grace: int | None, tier: str = "ESSENTIALS", **client: Any) -> Pool:
    pool = idp.create_user_pool(PoolName=unique("rotation"), UserPoolTier=tier)["UserPool"]
    rotation: dict[str, Any] = {"Feature": "ENABLED"}
    if grace is not None:
        rotation["RetryGracePeriodSeconds"] = grace
    app = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="app", ExplicitAuthFlows=FLOWS,
                                      RefreshTokenRotation=rotation, **client)["UserPoolClient"]
    made = Pool(pool["Id"], pool["Arn"], app["ClientId"])
    make_user(idp, made)
    return made


def _signed_in(idp: Any, pool: Pool) -> str:
    result = idp.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    return str(result["AuthenticationResult"]["RefreshToken"])


def _refresh(idp: Any, pool: Pool, token: str) -> dict[str, Any]:
    return idp.get_tokens_from_refresh_token(ClientId=pool.client_id, RefreshToken=token)["AuthenticationResult"]  # type: ignore[no-any-return]


def _refused(idp: Any, pool: Pool, token: str) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        _refresh(idp, pool, token)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_a_rotated_refresh_token_works_only_within_the_grace_period(clients: Any, clock: Any) -> None:
    idp = clients("cognito-idp")
    pool = _rotating_pool(idp, grace=10)
    described = idp.describe_user_pool_client(UserPoolId=pool.pool_id, ClientId=pool.client_id)["UserPoolClient"]
    assert described["RefreshTokenRotation"] == {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10}
    first = _signed_in(idp, pool)
    renewed = _refresh(idp, pool, first)
    second = renewed["RefreshToken"]
    assert second != first and renewed["AccessToken"] and renewed["IdToken"]
    retried = _refresh(idp, pool, first)  # a client-side retry within the grace period
    assert retried["RefreshToken"] not in (first, second)
    clock(11)
    assert _refused(idp, pool, first) == ("NotAuthorizedException", "Invalid Refresh Token")
    third = _refresh(idp, pool, second)["RefreshToken"]
    assert _refresh(idp, pool, third)["AccessToken"]  # the newest one rotates in turn
    assert _refresh(idp, pool, second)["RefreshToken"]  # its own grace period began when it was rotated out
    clock(11)
    assert _refused(idp, pool, second) == ("NotAuthorizedException", "Invalid Refresh Token")


def test_without_a_grace_period_the_old_token_stops_at_once(clients: Any) -> None:
    idp = clients("cognito-idp")
    pool = _rotating_pool(idp, grace=None)
    first = _signed_in(idp, pool)
    second = _refresh(idp, pool, first)["RefreshToken"]
    assert _refused(idp, pool, first) == ("NotAuthorizedException", "Invalid Refresh Token")
    assert _refresh(idp, pool, second)["RefreshToken"]


def test_a_rotated_token_ends_when_the_sign_in_would_have(clients: Any, clock: Any) -> None:
    idp = clients("cognito-idp")
    pool = _rotating_pool(idp, grace=0, RefreshTokenValidity=60, TokenValidityUnits={"RefreshToken": "minutes"})
    first = _signed_in(idp, pool)
    clock(45 * 60)
    second = _refresh(idp, pool, first)["RefreshToken"]
    clock(16 * 60)
    assert _refused(idp, pool, second) == ("NotAuthorizedException", "Refresh Token has expired")


def test_revoking_the_new_token_revokes_the_sign_in(clients: Any) -> None:
    idp = clients("cognito-idp")
    pool = _rotating_pool(idp, grace=60)
    first = _signed_in(idp, pool)
    renewed = _refresh(idp, pool, first)
    idp.revoke_token(Token=renewed["RefreshToken"], ClientId=pool.client_id)
    assert _refused(idp, pool, first) == ("NotAuthorizedException", "Refresh Token has been revoked")
    with pytest.raises(ClientError, match="Access Token has been revoked"):
        idp.get_user(AccessToken=renewed["AccessToken"])


def test_refresh_token_auth_is_refused_for_a_rotating_client(clients: Any) -> None:
    idp = clients("cognito-idp")
    pool = _rotating_pool(idp, grace=5)
    token = _signed_in(idp, pool)
    with pytest.raises(ClientError) as caught:
        idp.initiate_auth(ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": token})
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
    idp.update_user_pool_client(UserPoolId=pool.pool_id, ClientId=pool.client_id,
                                ExplicitAuthFlows=[*FLOWS, "ALLOW_REFRESH_TOKEN_AUTH"],
                                RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 5})
    with pytest.raises(ClientError, match="GetTokensFromRefreshToken") as caught:
        idp.admin_initiate_auth(UserPoolId=pool.pool_id, ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                AuthParameters={"REFRESH_TOKEN": token})
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
    idp.update_user_pool_client(UserPoolId=pool.pool_id, ClientId=pool.client_id,
                                ExplicitAuthFlows=[*FLOWS, "ALLOW_REFRESH_TOKEN_AUTH"],
                                RefreshTokenRotation={"Feature": "DISABLED"})
    refreshed = idp.initiate_auth(ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": token})["AuthenticationResult"]
    assert "RefreshToken" not in refreshed
    assert "RefreshToken" not in _refresh(idp, pool, token)  # without rotation the token stays as it is
    assert _refresh(idp, pool, token)["AccessToken"]


def test_the_token_endpoint_rotates_too(clients: Any, endpoint: str, clock: Any) -> None:
    idp = clients("cognito-idp")
    pool = _rotating_pool(idp, grace=30, AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
                          AllowedOAuthScopes=["openid"], CallbackURLs=["https://app.example.com/cb"])
    domain = unique("rotate")
    idp.create_user_pool_domain(UserPoolId=pool.pool_id, Domain=domain)
    token_url = f"{endpoint}/hosted-ui/{domain}/oauth2/token"

    def grant(token: str) -> requests.Response:
        return requests.post(token_url, timeout=15, data={"grant_type": "refresh_token", "client_id": pool.client_id,
                                                          "refresh_token": token})

    first = _signed_in(idp, pool)
    answer = grant(first)
    assert answer.status_code == 200, answer.text
    second = answer.json()["refresh_token"]
    assert second != first and answer.json()["access_token"]
    assert grant(first).status_code == 200  # within the grace period
    clock(31)
    refused = grant(first)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert grant(second).status_code == 200


def test_rotation_needs_the_essentials_or_plus_plan(clients: Any) -> None:
    idp = clients("cognito-idp")
    lite = idp.create_user_pool(PoolName=unique("lite"), UserPoolTier="LITE")["UserPool"]["Id"]
    rotation = {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}
    with pytest.raises(ClientError) as caught:
        idp.create_user_pool_client(UserPoolId=lite, ClientName="app", RefreshTokenRotation=rotation)
    assert caught.value.response["Error"]["Code"] == "FeatureUnavailableInTierException"
    app = idp.create_user_pool_client(UserPoolId=lite, ClientName="app", ExplicitAuthFlows=FLOWS,
                                      RefreshTokenRotation={"Feature": "DISABLED"})["UserPoolClient"]["ClientId"]
    with pytest.raises(ClientError) as caught:
        idp.update_user_pool_client(UserPoolId=lite, ClientId=app, RefreshTokenRotation=rotation)
    assert caught.value.response["Error"]["Code"] == "FeatureUnavailableInTierException"
    plus = _rotating_pool(idp, grace=0, tier="PLUS")
    assert _refresh(idp, plus, _signed_in(idp, plus))["RefreshToken"]
