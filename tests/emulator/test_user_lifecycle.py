"""Disabled, deleted and signed-out users, expired tokens and revocation, as Cognito treats them.

- userInfo: https://docs.aws.amazon.com/cognito/latest/developerguide/userinfo-endpoint.html
  (attributes by the access token's scopes; openid is required).
- RevokeToken: https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RevokeToken.html
- AdminDisableUser: a disabled user cannot sign in or refresh ("User is disabled.").
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from tests.emulator.test_hosted_ui import HostedPool, authorize_params, code_from, exchange, hosted, pkce, sign_in

__all__ = ["hosted"]  # the fixture, shared with the hosted UI's tests


def code_flow_tokens(hosted: HostedPool, scope: str = "openid email") -> dict[str, Any]:
    verifier, challenge = pkce()
    code = code_from(sign_in(hosted, authorize_params(hosted, challenge, scope=scope)))
    answer = exchange(hosted, code, verifier)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def user_info(hosted: HostedPool, access_token: str) -> requests.Response:
    return requests.get(f"{hosted.base}/oauth2/userInfo", headers={"Authorization": f"Bearer {access_token}"},
                        timeout=10)


def refresh(hosted: HostedPool, refresh_token: str) -> requests.Response:
    return requests.post(f"{hosted.base}/oauth2/token", data={
        "grant_type": "refresh_token", "client_id": hosted.pool.client_id, "refresh_token": refresh_token}, timeout=10)


def test_user_info_follows_the_scopes(hosted: HostedPool, clients: Any) -> None:
    clients("cognito-idp").admin_update_user_attributes(
        UserPoolId=hosted.pool.pool_id, Username="alice",
        UserAttributes=[{"Name": "name", "Value": "Alice A."}, {"Name": "phone_number", "Value": "+15555550100"}])
    email_only = user_info(hosted, code_flow_tokens(hosted, "openid email")["access_token"]).json()
    assert email_only["email"] == "alice@example.com" and email_only["email_verified"] == "true"
    assert "name" not in email_only and "phone_number" not in email_only and email_only["sub"]
    profile = user_info(hosted, code_flow_tokens(hosted, "openid profile")["access_token"]).json()
    assert profile["name"] == "Alice A." and "email" not in profile
    everything = user_info(hosted, code_flow_tokens(hosted, "openid")["access_token"]).json()
    assert {"email", "name", "phone_number"} <= set(everything)


def test_api_tokens_without_openid_are_refused_by_user_info(hosted: HostedPool, clients: Any) -> None:
    from tests.emulator.helpers import sign_in as api_sign_in

    tokens = api_sign_in(clients("cognito-idp"), hosted.pool)
    answer = user_info(hosted, tokens["AccessToken"])
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_token"


def test_disabled_and_deleted_users(hosted: HostedPool, clients: Any) -> None:
    idp = clients("cognito-idp")
    tokens = code_flow_tokens(hosted)
    idp.admin_disable_user(UserPoolId=hosted.pool.pool_id, Username="alice")
    assert user_info(hosted, tokens["access_token"]).status_code == 401
    refused = refresh(hosted, tokens["refresh_token"])
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    with pytest.raises(ClientError) as api_refresh:
        idp.initiate_auth(ClientId=hosted.pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": tokens["refresh_token"]})
    assert api_refresh.value.response["Error"]["Code"] == "NotAuthorizedException"
    idp.admin_enable_user(UserPoolId=hosted.pool.pool_id, Username="alice")
    assert refresh(hosted, tokens["refresh_token"]).status_code == 200
    idp.admin_delete_user(UserPoolId=hosted.pool.pool_id, Username="alice")
    gone = user_info(hosted, tokens["access_token"])
    assert gone.status_code == 401


def test_an_expired_access_token_is_refused_by_user_info(hosted: HostedPool, clients: Any) -> None:
    idp = clients("cognito-idp")
    idp.update_user_pool_client(
        UserPoolId=hosted.pool.pool_id, ClientId=hosted.pool.client_id, AccessTokenValidity=5,
        TokenValidityUnits={"AccessToken": "minutes"}, AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email"], CallbackURLs=["http://localhost:8081/"],
        SupportedIdentityProviders=["COGNITO"], ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"])
    tokens = code_flow_tokens(hosted)
    import time

    real_time = time.time
    try:
        time.time = lambda: real_time() + 301  # type: ignore[assignment]
        assert user_info(hosted, tokens["access_token"]).status_code == 401
    finally:
        time.time = real_time  # type: ignore[assignment]


def test_revoke_token_revokes_the_refresh_token_and_its_access_tokens(hosted: HostedPool, clients: Any) -> None:
    idp = clients("cognito-idp")
    tokens = code_flow_tokens(hosted)
    idp.revoke_token(ClientId=hosted.pool.client_id, Token=tokens["refresh_token"])
    assert refresh(hosted, tokens["refresh_token"]).status_code == 400
    assert user_info(hosted, tokens["access_token"]).status_code == 401
    with pytest.raises(ClientError) as wrong_type:
        idp.revoke_token(ClientId=hosted.pool.client_id, Token=tokens["access_token"])
    assert wrong_type.value.response["Error"]["Code"] == "UnsupportedTokenTypeException"
    idp.revoke_token(ClientId=hosted.pool.client_id, Token="unknown-token")  # no error, as RFC 7009 says


def test_an_expired_access_token_is_refused(hosted: HostedPool, clients: Any) -> None:
    """The emulator stores no tokens: a token is live while its signature, exp and revocation records say so."""
    from claimsctl.local.cognito import pools
    from tests.emulator.helpers import sign_in as api_sign_in

    idp = clients("cognito-idp")
    old = api_sign_in(idp, hosted.pool)["AccessToken"]
    pool = pools.by_id(hosted.pool.pool_id)
    assert pool is not None and old in pool.access_tokens
    import time

    real_time = time.time
    try:
        time.time = lambda: real_time() + 3601  # type: ignore[assignment]
        assert old not in pool.access_tokens
        with pytest.raises(ClientError):
            idp.get_user(AccessToken=old)
    finally:
        time.time = real_time  # type: ignore[assignment]


def test_global_sign_out_revokes_what_was_issued_before_it_and_nothing_after(hosted: HostedPool, clients: Any) -> None:
    """AdminUserGlobalSignOut: the user's access and refresh tokens stop working; a sign-in in the same
    second after it gets tokens that work (the emulator records the sign-out time, not the tokens)."""
    from tests.emulator.helpers import sign_in as api_sign_in

    idp = clients("cognito-idp")
    before = api_sign_in(idp, hosted.pool)
    idp.admin_user_global_sign_out(UserPoolId=hosted.pool.pool_id, Username="alice")
    after = api_sign_in(idp, hosted.pool)
    with pytest.raises(ClientError) as revoked:
        idp.get_user(AccessToken=before["AccessToken"])
    assert revoked.value.response["Error"]["Code"] == "NotAuthorizedException"
    with pytest.raises(ClientError) as refused:
        idp.initiate_auth(ClientId=hosted.pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": before["RefreshToken"]})
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert idp.get_user(AccessToken=after["AccessToken"])["Username"] == "alice"
    refreshed = idp.initiate_auth(ClientId=hosted.pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": after["RefreshToken"]})
    assert idp.get_user(AccessToken=refreshed["AuthenticationResult"]["AccessToken"])["Username"] == "alice"


def test_a_refresh_token_is_an_opaque_encrypted_blob_bound_to_its_pool(hosted: HostedPool, clients: Any) -> None:
    """Like Cognito's, the refresh token is a JWE: five parts, nothing readable, and useless if altered."""
    from tests.emulator.helpers import sign_in as api_sign_in

    idp = clients("cognito-idp")
    token = api_sign_in(idp, hosted.pool)["RefreshToken"]
    assert token.count(".") == 4 and "alice" not in token
    altered = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    with pytest.raises(ClientError) as refused:
        idp.initiate_auth(ClientId=hosted.pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": altered})
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_a_refresh_token_works_only_for_the_client_it_was_issued_to(hosted: HostedPool, clients: Any) -> None:
    """InitiateAuth REFRESH_TOKEN_AUTH from another app client of the same pool is refused."""
    from tests.emulator.helpers import sign_in as api_sign_in

    idp = clients("cognito-idp")
    token = api_sign_in(idp, hosted.pool)["RefreshToken"]
    other = idp.create_user_pool_client(UserPoolId=hosted.pool.pool_id, ClientName="other",
                                        ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"],
                                        )["UserPoolClient"]["ClientId"]
    with pytest.raises(ClientError) as refused:
        idp.initiate_auth(ClientId=other, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": token})
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    own = idp.initiate_auth(ClientId=hosted.pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                            AuthParameters={"REFRESH_TOKEN": token})["AuthenticationResult"]
    assert "AccessToken" in own
