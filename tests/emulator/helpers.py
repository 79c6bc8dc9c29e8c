"""Builders for emulator tests: functions from source text, pools wired to a trigger, signed-in users."""

from __future__ import annotations

import io
import json
import textwrap
import zipfile
from dataclasses import dataclass
from typing import Any

from tests.conftest import client, unique

ROLE = "arn:aws:iam::123456789012:role/lambda-test"
PASSWORD = "Passw0rd!Passw0rd"


def zip_source(source: str, name: str = "index.py") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, textwrap.dedent(source))
    return buffer.getvalue()


def ensure_role(lam: Any) -> None:
    iam = client(lam.meta.endpoint_url, "iam")
    try:
        iam.get_role(RoleName="lambda-test")
    except iam.exceptions.NoSuchEntityException:
        iam.create_role(RoleName="lambda-test", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "lambda.amazonaws.com"}}]}))


def make_function(lam: Any, source: str, timeout: int = 3, env: dict[str, str] | None = None) -> str:
    ensure_role(lam)
    name = unique("fn")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="index.handler",
                        Code={"ZipFile": zip_source(source)}, Timeout=timeout,
                        Environment={"Variables": env or {}})
    return lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]  # type: ignore[no-any-return]


@dataclass
class Pool:
    pool_id: str
    pool_arn: str
    client_id: str


def make_pool(idp: Any, lam: Any, function_arn: str | None, version: str = "V1_0", permit: bool = True,
              groups: tuple[str, ...] = ()) -> Pool:
    lambda_config = {"PreTokenGenerationConfig": {"LambdaArn": function_arn, "LambdaVersion": version}} if function_arn else {}
    pool = idp.create_user_pool(PoolName=unique("pool"), LambdaConfig=lambda_config)["UserPool"]
    client = idp.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    if function_arn and permit:
        lam.add_permission(FunctionName=function_arn, StatementId=unique("cognito"), Action="lambda:InvokeFunction",
                           Principal="cognito-idp.amazonaws.com", SourceArn=pool["Arn"])
    for group in groups:
        idp.create_group(UserPoolId=pool["Id"], GroupName=group)
    return Pool(pool["Id"], pool["Arn"], client["ClientId"])


def make_user(idp: Any, pool: Pool, username: str = "alice", permanent: bool = True, groups: tuple[str, ...] = ()) -> None:
    idp.admin_create_user(UserPoolId=pool.pool_id, Username=username, MessageAction="SUPPRESS",
                          TemporaryPassword=PASSWORD,
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"},
                                          {"Name": "email_verified", "Value": "true"}])
    if permanent:
        idp.admin_set_user_password(UserPoolId=pool.pool_id, Username=username, Password=PASSWORD, Permanent=True)
    for group in groups:
        idp.admin_add_user_to_group(UserPoolId=pool.pool_id, Username=username, GroupName=group)


def sign_in(idp: Any, pool: Pool, username: str = "alice") -> dict[str, Any]:
    result = idp.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
    return result["AuthenticationResult"]  # type: ignore[no-any-return]
