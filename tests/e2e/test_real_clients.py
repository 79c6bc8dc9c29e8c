"""Clients nobody here wrote, against a deployed stack on the emulator, each asserting the claim it sees:
Amplify JS v6 (SRP sign-in, forced refresh, sign-out), aws-jwt-verify, pycognito's SRP client, the AWS CLI.

`make test` installs the npm ones from tests/clients/package-lock.json (as the web demo's are) and the AWS
CLI into a venv of its own (its botocore pin would fight moto's).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.conftest import ROOT, Cli, Deployer, Project

CLIENTS = ROOT / "tests" / "clients"
AWS_CLI = ROOT / ".venv-awscli" / "bin" / "aws"
PASSWORD = "Real-Clients-Passw0rd!"
NODE_READY = shutil.which("node") is not None and (CLIENTS / "node_modules" / "aws-amplify").exists()
REQUIRED = bool(os.environ.get("CLAIMSCTL_REQUIRE_BROWSER"))  # CI: every real client must run
if REQUIRED and (not NODE_READY or not AWS_CLI.exists()):
    raise RuntimeError("CI needs node with tests/clients/node_modules and .venv-awscli (make test installs them)")


@pytest.fixture
def stack(cli: Cli, project: Project) -> Iterator[dict[str, str]]:
    project.write(triggerVersion="V2_0", api="none")
    deployed = cli("deploy", "--yes", "--output", "json")
    assert deployed.exit_code == 0, deployed.output
    added = cli("add-user", "--username", "rita", "--email", "rita@example.com", "--projects", "p2,p1",
                "--password-stdin", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    yield json.loads(deployed.stdout)["outputs"]
    cli("teardown", "--yes")


def node(script: str, payload: dict[str, Any]) -> dict[str, Any]:
    result = subprocess.run(["node", script], cwd=CLIENTS, input=json.dumps(payload), capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


needs_node = pytest.mark.skipif(not NODE_READY, reason="needs node and tests/clients/node_modules (make test)")


@needs_node
def test_amplify_signs_in_with_srp_refreshes_and_signs_out(stack: dict[str, str], endpoint: str) -> None:
    payload = {"userPoolId": stack["UserPoolId"], "clientId": stack["UserPoolClientId"], "endpoint": endpoint,
               "username": "rita", "password": PASSWORD}
    seen = node("amplify.mjs", payload)
    assert "error" not in seen, seen
    assert seen["signedIn"] is True
    assert seen["idToken"]["projects"] == ["p1", "p2"] and seen["accessToken"]["projects"] == ["p1", "p2"]
    assert seen["refreshedIdToken"]["projects"] == ["p1", "p2"]
    assert seen["refreshedIdToken"]["jti"] != seen["idToken"]["jti"]  # a new token from the refresh
    assert seen["signedOutHasTokens"] is False
    wrong = node("amplify.mjs", {**payload, "password": "Wrong-Passw0rd!x"})
    assert wrong["error"]["name"] == "NotAuthorizedException"


@needs_node
def test_amplify_sets_up_totp_then_answers_codes_with_the_claim_only_after(deployed: Deployer, cli: Cli,
                                                                          endpoint: str) -> None:
    outputs = deployed(mfa="required", api="none")  # torn down after the test, whatever it finds
    assert cli("add-user", "--username", "mia", "--email", "mia@example.com", "--projects", "p1",
               "--password-stdin", input=PASSWORD + "\n").exit_code == 0
    seen = node("amplify-mfa.mjs", {"userPoolId": outputs["UserPoolId"], "clientId": outputs["UserPoolClientId"],
                                    "endpoint": endpoint, "username": "mia", "password": PASSWORD})
    assert "error" not in seen, seen
    assert seen["firstStep"] == "CONTINUE_SIGN_IN_WITH_TOTP_SETUP" and seen["secretLength"] == 32
    assert seen["setUpSignedIn"] is True and seen["enrolledIdToken"]["projects"] == "p1"
    assert seen["secondStep"] == "CONFIRM_SIGN_IN_WITH_TOTP_CODE"
    assert seen["reusedCode"] == "CodeMismatchException"
    assert seen["againStep"] == "CONFIRM_SIGN_IN_WITH_TOTP_CODE" and seen["confirmedSignedIn"] is True
    assert seen["idToken"]["projects"] == "p1"


@needs_node
def test_aws_jwt_verify_accepts_the_emulators_tokens(stack: dict[str, str], endpoint: str, clients: Any) -> None:
    signed_in = clients("cognito-idp").initiate_auth(
        ClientId=stack["UserPoolClientId"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "rita", "PASSWORD": PASSWORD})["AuthenticationResult"]
    seen = node("verify.mjs", {"userPoolId": stack["UserPoolId"], "clientId": stack["UserPoolClientId"],
                               "jwksUri": f"{endpoint}/{stack['UserPoolId']}/.well-known/jwks.json",
                               "idToken": signed_in["IdToken"], "accessToken": signed_in["AccessToken"]})
    assert seen["id"]["projects"] == ["p1", "p2"] and seen["id"]["token_use"] == "id"
    assert seen["access"]["projects"] == ["p1", "p2"] and seen["access"]["token_use"] == "access"
    assert "error" in seen["tampered"]


def test_pycognito_srp_client_sees_the_claim(stack: dict[str, str], clients: Any) -> None:
    from pycognito.aws_srp import AWSSRP

    result = AWSSRP(username="rita", password=PASSWORD, pool_id=stack["UserPoolId"],
                    client_id=stack["UserPoolClientId"], client=clients("cognito-idp")).authenticate_user()
    import jwt

    claims = jwt.decode(result["AuthenticationResult"]["IdToken"], options={"verify_signature": False})
    assert claims["projects"] == ["p1", "p2"]


@pytest.mark.skipif(not AWS_CLI.exists(), reason="needs .venv-awscli (make test installs it)")
def test_the_aws_cli_signs_in_and_reads_the_row(stack: dict[str, str], endpoint: str, tmp_path: Path) -> None:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}

    def aws(*args: str) -> dict[str, Any]:
        result = subprocess.run([str(AWS_CLI), *args, "--endpoint-url", endpoint, "--output", "json"], env=env,
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr[-2000:]
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    signed_in = aws("cognito-idp", "initiate-auth", "--client-id", stack["UserPoolClientId"], "--auth-flow",
                    "USER_PASSWORD_AUTH", "--auth-parameters", f"USERNAME=rita,PASSWORD={PASSWORD}")
    import jwt

    token = signed_in["AuthenticationResult"]["AccessToken"]
    assert jwt.decode(token, options={"verify_signature": False})["projects"] == ["p1", "p2"]
    row = aws("dynamodb", "get-item", "--table-name", stack["UsersTableName"], "--key", '{"userName": {"S": "rita"}}')
    assert [p["S"] for p in row["Item"]["projects"]["L"]] == ["p1", "p2"]


def _secret_client(clients: Any, stack: dict[str, str]) -> tuple[str, str]:
    """A second app client of the deployed pool, with a secret (a server-side app's)."""
    made = clients("cognito-idp").create_user_pool_client(
        UserPoolId=stack["UserPoolId"], ClientName="server-side", GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    return made["UserPoolClient"]["ClientId"], made["UserPoolClient"]["ClientSecret"]


def test_pycognito_with_a_client_secret_signs_in_and_refreshes(stack: dict[str, str], endpoint: str,
                                                               clients: Any) -> None:
    """pycognito computes SECRET_HASH itself when given the client's secret (SRP and the refresh)."""
    import requests
    from botocore.exceptions import ClientError
    from pycognito import Cognito

    client_id, secret = _secret_client(clients, stack)
    jwks = requests.get(f"{endpoint}/{stack['UserPoolId']}/.well-known/jwks.json", timeout=10).json()
    kwargs = {"endpoint_url": endpoint, "region_name": "us-east-1"}
    user = Cognito(stack["UserPoolId"], client_id, username="rita", client_secret=secret, boto3_client_kwargs=kwargs)
    user.pool_jwk, user.pool_domain_url = jwks, None  # pycognito takes the endpoint for the issuer otherwise
    user.authenticate(password=PASSWORD)
    assert user.id_claims["projects"] == ["p1", "p2"]
    first = user.access_token
    user.renew_access_token()
    assert user.access_token != first and user.access_claims["username"] == "rita"
    without = Cognito(stack["UserPoolId"], client_id, username="rita", boto3_client_kwargs=kwargs)
    without.pool_jwk = jwks
    with pytest.raises(ClientError) as refused:
        without.authenticate(password=PASSWORD)
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_claimsctl_login_with_a_client_secret(stack: dict[str, str], endpoint: str, clients: Any) -> None:
    """claimsctl's own login computes SECRET_HASH for a client with a secret, by password and by SRP."""
    import dataclasses

    from claimsctl import login
    from claimsctl.aws import Aws
    from claimsctl.errors import SignInError
    from claimsctl.outputs import StackOutputs

    client_id, secret = _secret_client(clients, stack)
    outputs = dataclasses.replace(StackOutputs.parse(stack), client_id=client_id)
    aws = Aws(region="us-east-1", endpoint_url=endpoint)
    for password_auth in (True, False):
        result = login.login(aws, outputs, "rita", PASSWORD, password_auth=password_auth, client_secret=secret)
        assert result.id_claims["aud"] == client_id and result.access_claims["username"] == "rita"
    with pytest.raises(SignInError, match="has a secret"):
        login.login(aws, outputs, "rita", PASSWORD)


def test_the_kit_refreshes_through_a_client_with_a_secret(stack: dict[str, str], endpoint: str,
                                                          clients: Any) -> None:
    """The test kit's SignedInUser.refresh adds SECRET_HASH when the stack's app client has a secret."""
    from claimsctl.signin import secret_hash
    from claimsctl.testing.stack import SignedInUser

    client_id, secret = _secret_client(clients, stack)
    idp = clients("cognito-idp")
    issued = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "rita", "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash(client_id, secret, "rita")})

    class Stack:  # what SignedInUser reads of a ClaimsStack, over the deployed stack with the secret client
        outputs: ClassVar[dict[str, str]] = {**stack, "UserPoolClientId": client_id}
        aws = type("Aws", (), {"client": staticmethod(clients)})()

        @staticmethod
        def client_secret() -> str:
            return secret

        @staticmethod
        def verify(token: str) -> dict[str, Any]:
            import jwt

            return jwt.decode(token, options={"verify_signature": False})  # type: ignore[no-any-return]

    auth = issued["AuthenticationResult"]
    user = SignedInUser(Stack(), "rita", auth["IdToken"], auth["AccessToken"], auth["RefreshToken"],  # type: ignore[arg-type]
                        id_claims={"cognito:username": "rita"})
    before = user.access_token
    assert user.refresh().access_token != before and user.id_claims["cognito:username"] == "rita"
