"""The refreshTokenRotation input, as a user turns it on: day two, on a stack that already has a user, a row
and a sign-in. After the update the app client rotates refresh tokens (Essentials plan, no
ALLOW_REFRESH_TOKEN_AUTH), the refresh token issued before the update rotates, the one it replaced stops after
the grace period, and the user's row is untouched."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import Cli, Deployer

PASSWORD = "Rotate-Passw0rd!x"


def test_turning_rotation_on_for_a_stack_with_users(deployed: Deployer, cli: Cli, clients: Any, endpoint: str) -> None:
    outputs = deployed(userPasswordAuth=True)
    idp, pool_id, client_id = clients("cognito-idp"), outputs["UserPoolId"], outputs["UserPoolClientId"]
    added = cli("add-user", "--username", "rita", "--email", "rita@example.com", "--projects", "p1",
                "--password-stdin", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    before = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "rita", "PASSWORD": PASSWORD})["AuthenticationResult"]
    assert "RefreshToken" not in idp.get_tokens_from_refresh_token(
        ClientId=client_id, RefreshToken=before["RefreshToken"])["AuthenticationResult"]

    outputs = deployed(userPasswordAuth=True, refreshTokenRotation={"enabled": True, "retryGracePeriodSeconds": 5})
    assert outputs["UserPoolClientId"] == client_id  # updated in place, as AWS updates it (no interruption)
    app = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert app["RefreshTokenRotation"] == {"Feature": "ENABLED", "RetryGracePeriodSeconds": 5}
    assert "ALLOW_REFRESH_TOKEN_AUTH" not in app["ExplicitAuthFlows"]
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["UserPoolTier"] == "ESSENTIALS"

    renewed = idp.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=before["RefreshToken"])
    new_token = renewed["AuthenticationResult"]["RefreshToken"]
    assert new_token != before["RefreshToken"]
    with pytest.raises(ClientError) as refused:
        idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": new_token})
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    requests.post(f"{endpoint}/_claimsctl/clock", json={"advance": 6}, timeout=10).raise_for_status()
    try:
        with pytest.raises(ClientError, match="Invalid Refresh Token"):
            idp.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=before["RefreshToken"])
        assert idp.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=new_token)["AuthenticationResult"]
    finally:
        from claimsctl.local import clock

        clock.reset()
    row = clients("dynamodb").get_item(TableName=outputs["UsersTableName"], Key={"userName": {"S": "rita"}})
    assert "p1" in str(row["Item"])
