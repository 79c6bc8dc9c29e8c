"""Authorization per request: the claim (optimized) against CheckUserAccess (standard), on the same requests.

Through the API on the emulator: latency, and DynamoDB reads and Lambda
invocations per 1,000 requests. In-process: the authorizer's verify-and-decide
against the standard path's lookup.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from typing import Any

import requests

from benchmarks.common import ROOT, summary_ms
from benchmarks.stack import PASSWORD, Deployed


def _deltas(before: dict[str, Any], after: dict[str, Any], per: float) -> dict[str, float]:
    def diff(section: str) -> dict[str, int]:
        return {k: after[section].get(k, 0) - before[section].get(k, 0) for k in after[section]}

    reads = diff("requests_by_target")
    dynamodb = sum(v for k, v in reads.items() if k.startswith("DynamoDB_") and k.split(".")[1] in ("GetItem", "Query"))
    return {"dynamodb_reads_per_1000": round(dynamodb * per, 1),
            "lambda_invocations_per_1000": round(sum(diff("lambda_invocations").values()) * per, 1)}


def through_the_api(stack: Deployed, requests_each: int) -> dict[str, Any]:
    token = stack.sign_in("alice")["IdToken"]
    results = {}
    for name, route in (("optimized", "projects/p1/items"), ("standard", "standard/projects/p1/items")):
        url = f"{stack.outputs['ApiUrl']}/{route}"
        session = requests.Session()
        assert session.get(url, headers={"Authorization": token}, timeout=30).status_code == 200  # warm
        before, samples = stack.stats(), []
        for _ in range(requests_each):
            started = time.perf_counter()
            response = session.get(url, headers={"Authorization": token}, timeout=30)
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200
        results[name] = {**summary_ms(samples), **_deltas(before, stack.stats(), 1000 / requests_each)}
    return results


def _load_handlers(stack: Deployed) -> tuple[Any, Any]:
    from claimsctl import projects, tokens

    os.environ.update(AWS_ENDPOINT_URL=stack.emulator.url, AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1",
                      AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      USER_POOL_ID=stack.outputs["UserPoolId"], CLIENT_ID=stack.outputs["UserPoolClientId"],
                      TOKEN_USE="id", USERS_TABLE=stack.outputs["UsersTableName"])
    sys.modules["claimsctl_tokens"] = tokens
    sys.modules["claimsctl_projects"] = projects
    sys.path.insert(0, str(ROOT / "lambda_src"))
    return importlib.import_module("authorizer"), importlib.import_module("check_user_access")


def decision_in_process(stack: Deployed, rounds: int) -> dict[str, Any]:
    authorizer, check_user_access = _load_handlers(stack)
    arn = f"arn:aws:execute-api:us-east-1:123456789012:{stack.outputs['ApiUrl'].split('/')[-2]}/prod/GET/projects/p1/items"
    tokens = [stack.sign_in("alice")["IdToken"] for _ in range(rounds)]
    authorizer.handler({"authorizationToken": tokens[0], "methodArn": arn}, None)  # JWKS fetched once
    first = []
    for token in tokens:
        started = time.perf_counter()
        authorizer.handler({"authorizationToken": token, "methodArn": arn}, None)
        first.append(time.perf_counter() - started)
    repeated = []
    for _ in range(rounds):
        started = time.perf_counter()
        authorizer.handler({"authorizationToken": tokens[0], "methodArn": arn}, None)
        repeated.append(time.perf_counter() - started)
    lookups = []
    for _ in range(rounds):
        started = time.perf_counter()
        check_user_access.user_projects("alice")
        lookups.append(time.perf_counter() - started)
    return {"authorizer_first_token": summary_ms(first), "authorizer_repeated_token": summary_ms(repeated),
            "standard_lookup_getitem": summary_ms(lookups)}


def run(stack: Deployed, requests_each: int = 1000) -> dict[str, Any]:
    stack.claimsctl("add-user", "--username", "alice", "--email", "alice@example.com", "--projects", "p1,p2",
                    "--password-stdin", "--seed-items", "5", stdin=PASSWORD + "\n")
    return {"api": through_the_api(stack, requests_each), "decision": decision_in_process(stack, 200)}
