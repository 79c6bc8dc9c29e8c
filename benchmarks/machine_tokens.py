"""Client-credentials tokens per second at 1 and 16 clients: the emulator with the stack's V3_0 trigger (the
shipped lambda_src, reading the client's row), the emulator without a trigger, and ministack 1.5 with the
same trigger code and row, in the same run. ministack is pip-installed into a scratch venv by this script
(with boto3, which the Lambda runtime provides), started on a free loopback port and stopped after.

Run: python -m benchmarks.machine_tokens [--calls 300]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import requests

from benchmarks.common import ROOT, save
from benchmarks.peer import _free_port, throughput
from benchmarks.stack import Deployed, deployed

MINISTACK = "ministack==1.5.33"
CLIENTS = (1, 16)
ROLE = "arn:aws:iam::000000000000:role/bench"


def _poster(token_url: str, client_id: str, secret: str) -> Any:
    session = requests.Session()
    session.auth = (client_id, secret)

    def one() -> None:
        answer = session.post(token_url, data={"grant_type": "client_credentials"}, timeout=30)
        if answer.status_code != 200 or "access_token" not in answer.json():
            raise RuntimeError(f"token endpoint: {answer.status_code} {answer.text[:200]}")

    return one


def _ours(stack: Deployed, folder: Path, calls: int) -> dict[str, float]:
    stack.claimsctl("add-client", "bench-bot", "--projects", "p1,p2:editor", "--secret-out", str(folder / "bot.json"))
    found = json.loads((folder / "bot.json").read_text())
    return throughput(_poster(found["token_url"], found["client_id"], found["client_secret"]), calls, CLIENTS)


def _pool_with_machine(idp: Any, lambda_config: dict[str, Any], tier: str = "ESSENTIALS") -> tuple[str, str, str]:
    """(pool id, client id, secret) of a pool with a resource server and a client-credentials client."""
    pool = idp.create_user_pool(PoolName="bench-m2m", UserPoolTier=tier, LambdaConfig=lambda_config)["UserPool"]
    idp.create_resource_server(UserPoolId=pool["Id"], Identifier="bench-api", Name="bench",
                               Scopes=[{"ScopeName": "items.read", "ScopeDescription": "read"}])
    client = idp.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="bench-bot", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["bench-api/items.read"])["UserPoolClient"]
    return pool["Id"], client["ClientId"], client["ClientSecret"]


def _baseline(stack: Deployed, calls: int) -> dict[str, float]:
    idp = stack.client("cognito-idp")
    pool_id, client_id, secret = _pool_with_machine(idp, {})
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain="bench-m2m-baseline")
    url = f"{stack.emulator.url}/hosted-ui/bench-m2m-baseline/oauth2/token"
    return throughput(_poster(url, client_id, secret), calls, CLIENTS)


@contextmanager
def _ministack() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="ministack-") as folder:
        venv = Path(folder) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", MINISTACK, "boto3"], check=True, timeout=900,
                       capture_output=True)
        port = _free_port()
        process = subprocess.Popen([str(venv / "bin" / "ministack")], cwd=folder, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, env={**os.environ, "GATEWAY_PORT": str(port),
                                                                   "BIND_HOST": "127.0.0.1", "LAMBDA_EXECUTOR": "local"})
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"ministack did not start at {url}")


def _trigger_zip() -> bytes:
    """The stack's trigger code as `claimsctl deploy` packages it."""
    from claimsctl import package

    return package.build(ROOT / "lambda_src").data


def _ministack_setup(url: str) -> tuple[str, str, str]:
    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                            aws_secret_access_key="test")

    ddb, lam, idp = client("dynamodb"), client("lambda"), client("cognito-idp")
    ddb.create_table(TableName="bench-users", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "userName", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "userName", "KeyType": "HASH"}])
    arn = lam.create_function(
        FunctionName="bench-trigger", Runtime="python3.12", Role=ROLE, Handler="pre_token_generation.handler",
        Code={"ZipFile": _trigger_zip()}, Timeout=4,
        Environment={"Variables": {"USERS_TABLE": "bench-users", "CLAIM_NAME": "projects"}})["FunctionArn"]
    _, client_id, secret = _pool_with_machine(
        idp, {"PreTokenGenerationConfig": {"LambdaArn": arn, "LambdaVersion": "V3_0"}})
    ddb.put_item(TableName="bench-users", Item={"userName": {"S": client_id}, "principal": {"S": "client"},
                                                 "projects": {"L": [{"S": "p1"}, {"S": "p2:editor"}]}})
    return f"{url}/oauth2/token", client_id, secret


def _theirs(calls: int) -> dict[str, Any]:
    with _ministack() as url:
        token_url, client_id, secret = _ministack_setup(url)
        first = requests.post(token_url, data={"grant_type": "client_credentials"}, auth=(client_id, secret), timeout=30)
        payload = first.json()["access_token"].split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return {"package": MINISTACK, "claim_seen": claims.get("projects"),
                **throughput(_poster(token_url, client_id, secret), calls, CLIENTS)}


def run(calls: int = 300) -> dict[str, Any]:
    theirs = _theirs(calls)
    with deployed(api="both", triggerVersion="V3_0") as stack, tempfile.TemporaryDirectory() as folder:
        ours = _ours(stack, Path(folder), calls)
        baseline = _baseline(stack, calls)
    result: dict[str, Any] = {"calls": calls, "ours_v3_trigger": ours, "ours_no_trigger": baseline,
                              "ministack_v3_trigger": theirs}
    for clients in CLIENTS:
        key = f"{clients}_clients_per_s"
        result[f"ratio_over_ministack_{clients}_clients"] = round(ours[key] / theirs[key], 2)
        result[f"trigger_cost_ms_{clients}_clients"] = round(1000 / ours[key] - 1000 / baseline[key], 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    result = run(args.calls)
    print(json.dumps(result, indent=2))
    print(f"results: {save('machine_tokens', result)}")


if __name__ == "__main__":
    main()
