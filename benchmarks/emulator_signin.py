"""Emulator figures: start time, sign-in latency with a V1 trigger (first, warm p50/p99) and without, memory.

Run: python benchmarks/emulator_signin.py [--calls 200]
The trigger is the project's own (lambda_src), deployed by `claimsctl deploy`, reading a real DynamoDB row.
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3

from benchmarks.common import ROOT, children_rss_mb, emulator, env_with, rss_mb, save, summary_ms

PASSWORD = f"Bench-{secrets.token_urlsafe(8)}-9a!"


def claimsctl(endpoint: str, inputs: Path, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args, "--inputs", str(inputs)], input=stdin,
                            capture_output=True, text=True, env=env_with(endpoint), check=True, timeout=300)
    return result.stdout


def project(folder: Path) -> Path:
    inputs = json.loads((ROOT / "stackInputs.json").read_text())
    inputs.update(stackName="bench", userPoolDomainName="bench-signin", usersTableName="bench-users",
                  web={"hosting": "none"})  # sign-ins, not the hosted app
    (folder / "pre-token-web-app").mkdir()
    path = folder / "stackInputs.json"
    path.write_text(json.dumps(inputs))
    return path


def time_sign_ins(idp: Any, client_id: str, calls: int) -> tuple[float, list[float]]:
    def one() -> float:
        started = time.perf_counter()
        idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "bench", "PASSWORD": PASSWORD})
        return time.perf_counter() - started

    idp.list_user_pools(MaxResults=1)  # the client's own first call (loading botocore) is not the emulator's
    first = one()
    return first, [one() for _ in range(calls)]


def untriggered_client(idp: Any) -> str:
    pool = idp.create_user_pool(PoolName="no-trigger")["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="c",
                                         ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username="bench", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="bench", Password=PASSWORD, Permanent=True)
    return str(client)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200)
    calls = parser.parse_args().calls
    with emulator() as running, tempfile.TemporaryDirectory() as folder:
        inputs = project(Path(folder))
        deploy_started = time.perf_counter()
        outputs = json.loads(claimsctl(running.url, inputs, "deploy", "--yes", "--output", "json"))["outputs"]
        deploy_seconds = time.perf_counter() - deploy_started
        claimsctl(running.url, inputs, "add-user", "--username", "bench", "--email", "bench@example.com",
                  "--projects", "p1,p2", "--password-stdin", stdin=PASSWORD + "\n")
        idp = boto3.client("cognito-idp", endpoint_url=running.url, region_name="us-east-1",
                           aws_access_key_id="x", aws_secret_access_key="x")
        first_trigger, warm_trigger = time_sign_ins(idp, outputs["UserPoolClientId"], calls)
        first_plain, warm_plain = time_sign_ins(idp, untriggered_client(idp), calls)
        with_trigger = {"first_ms": round(first_trigger * 1000, 2), **summary_ms(warm_trigger)}
        without_trigger = {"first_ms": round(first_plain * 1000, 2), **summary_ms(warm_plain)}
        result: dict[str, Any] = {
            "emulator_start_s": round(running.start_seconds, 3),
            "deploy_s": round(deploy_seconds, 3),
            "with_v1_trigger": with_trigger,
            "without_trigger": without_trigger,
            "server_rss_mb": rss_mb(running.process.pid),
            "lambda_workers_rss_mb": children_rss_mb(running.process.pid),
        }
        result["warm_p50_ratio"] = round(with_trigger["p50_ms"] / without_trigger["p50_ms"], 2)
    print(json.dumps(result, indent=2))
    print(f"results: {save('emulator_signin', result)}")


if __name__ == "__main__":
    main()
