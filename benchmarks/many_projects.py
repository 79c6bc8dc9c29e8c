"""Thousands of projects (issue 30): a 3,000-project principal (authorized by a lookup of its row) against a
10-project one (its claims in the token), in both designs, on the emulator.

Figures: the token's bytes; the authorizer's answer (policy) bytes and its context's; a request's latency
with the token's decision cached and with a new token (the optimized design's authorizer runs, and for the
3,000-project principal reads its row); the authorizer's own time per decision; DynamoDB reads per new token
and per request; the row's size and the read capacity a GetItem of it costs; and how long the test kit takes
to make each principal, signed in.

Run: python -m benchmarks.many_projects [--requests 200] [--tokens 20]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from benchmarks.common import ROOT, save, summary_ms
from benchmarks.stack import PASSWORD, Deployed, deployed

PRINCIPALS = {"many": 3000, "few": 10}
DESIGNS = {"optimized": "", "standard": "/standard"}


def grants(count: int) -> list[str]:
    """Mixed roles: every third project editor, every hundredth owner, the rest viewer."""
    return [f"proj-{n:04d}" + (":owner" if n % 100 == 0 else ":editor" if n % 3 == 0 else "") for n in range(count)]


def _reads(before: dict[str, Any], after: dict[str, Any]) -> int:
    old, new = before["requests_by_target"], after["requests_by_target"]
    return sum(new[k] - old.get(k, 0) for k in new if k.startswith("DynamoDB_") and k.endswith(".GetItem"))


def _authorizer(stack: Deployed) -> str:
    functions = stack.client("lambda").list_functions()["Functions"]
    return str(next(f["FunctionName"] for f in functions if f["Handler"] == "authorizer.handler"))


def _row_cost(stack: Deployed, name: str) -> dict[str, Any]:
    """The row's bytes (attribute names and values, as DynamoDB sizes an item) and an eventually consistent
    GetItem's read capacity: 0.5 unit per 4 KB."""
    item = stack.client("dynamodb").get_item(TableName=stack.outputs["UsersTableName"],
                                             Key={"userName": {"S": name}})["Item"]
    size = sum(len(k) for k in item) + len(name) + sum(len(v["S"]) for v in item["projects"]["L"]) + 3 * len(
        item["projects"]["L"])
    return {"row_bytes": size, "read_units_per_getitem": math.ceil(size / 4096) / 2}


def _decisions(stack: Deployed, function: str, token: str, count: int) -> dict[str, Any]:
    """The authorizer invoked directly: its answer's bytes and its time per decision (Lambda invoke)."""
    client = stack.client("lambda")
    arn = "arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/projects/proj-0001/items"
    event = json.dumps({"type": "TOKEN", "authorizationToken": token, "methodArn": arn}).encode()
    samples, answer = [], {}
    for _ in range(count):
        started = time.perf_counter()
        answer = json.loads(client.invoke(FunctionName=function, Payload=event)["Payload"].read())
        samples.append(time.perf_counter() - started)
    policy = {"principalId": answer["principalId"], "policyDocument": answer["policyDocument"]}
    return {"policy_bytes": len(json.dumps(policy, separators=(",", ":"))),
            "policy_resources": len(answer["policyDocument"]["Statement"][0]["Resource"]),
            "context_bytes": len(json.dumps(answer.get("context") or {}, separators=(",", ":"))),
            "decision": summary_ms(samples)}


def _requests(stack: Deployed, token: str, path: str, count: int) -> dict[str, Any]:
    session, url = requests.Session(), stack.outputs["ApiUrl"] + path
    assert session.get(url, headers={"Authorization": token}, timeout=30).status_code == 200
    before, samples = stack.stats(), []
    for _ in range(count):
        started = time.perf_counter()
        assert session.get(url, headers={"Authorization": token}, timeout=30).status_code == 200
        samples.append(time.perf_counter() - started)
    return {**summary_ms(samples), "dynamodb_getitems_per_request": round(_reads(before, stack.stats()) / count, 2)}


def _new_tokens(stack: Deployed, name: str, path: str, count: int) -> dict[str, Any]:
    """Each request with a token the authorizer has not decided yet (a new sign-in each time)."""
    session, url = requests.Session(), stack.outputs["ApiUrl"] + path
    samples, reads = [], 0
    for _ in range(count):
        token = stack.sign_in(name)["IdToken"]
        before = stack.stats()
        started = time.perf_counter()
        assert session.get(url, headers={"Authorization": token}, timeout=30).status_code == 200
        samples.append(time.perf_counter() - started)
        reads += _reads(before, stack.stats())
    return {**summary_ms(samples), "dynamodb_getitems_per_token": round(reads / count, 2)}


def through_the_api(count: int, tokens: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with deployed(api="both") as stack:
        for name, projects in PRINCIPALS.items():
            stack.claimsctl("add-user", "--username", name, "--email", f"{name}@example.com", "--projects",
                            ",".join(grants(projects)), "--password-stdin", stdin=PASSWORD + "\n")
        function = _authorizer(stack)
        for name, projects in PRINCIPALS.items():
            token = stack.sign_in(name)["IdToken"]
            found: dict[str, Any] = {"projects": projects, "token_bytes": len(token),
                                     "header_bytes": len("Authorization: ") + len(token) + 2, **_row_cost(stack, name),
                                     "authorizer": _decisions(stack, function, token, tokens)}
            for design, prefix in DESIGNS.items():
                path = f"{prefix}/projects/proj-0001/items"
                found[design] = {"cached_token": _requests(stack, token, path, count),
                                 "new_token": _new_tokens(stack, name, path, tokens)}
            results[name] = found
    return results


def kit_principals(count: int) -> dict[str, Any]:
    """ClaimsStack.user: a new user, its row and its tokens through the real trigger, for each principal."""
    from claimsctl.testing.stack import ClaimsStack

    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, str(ROOT / "cli.py"), "init", "app"], cwd=folder, check=True,
                       capture_output=True, timeout=120)
        stack = ClaimsStack(Path(folder) / "app").open()
        try:
            stack.user(projects=["p1"])  # the client's first calls
            found = {}
            for name, projects in PRINCIPALS.items():
                wanted, samples, ways = grants(projects), [], set()
                for _ in range(count):
                    started = time.perf_counter()
                    ways.add(stack.user(projects=wanted).way)
                    samples.append(time.perf_counter() - started)
                found[name] = {**summary_ms(samples), "way": ",".join(sorted(ways))}
            return found
        finally:
            stack.close()


def report(results: dict[str, Any]) -> None:
    api, kit = results["api"], results["kit"]
    for name, found in api.items():
        decided = found["authorizer"]
        print(f"{found['projects']:>5} projects: token {found['token_bytes']} B (header {found['header_bytes']} B), "
              f"row {found['row_bytes']} B = {found['read_units_per_getitem']} RCU per GetItem")
        print(f"       authorizer answer: policy {decided['policy_bytes']} B in {decided['policy_resources']} "
              f"resources, context {decided['context_bytes']} B; decision p50 {decided['decision']['p50_ms']} ms")
        for design in DESIGNS:
            cached, new = found[design]["cached_token"], found[design]["new_token"]
            print(f"       {design:9}: cached token p50/p99 {cached['p50_ms']}/{cached['p99_ms']} ms, "
                  f"{cached['dynamodb_getitems_per_request']} GetItem/request; new token p50/p99 "
                  f"{new['p50_ms']}/{new['p99_ms']} ms, {new['dynamodb_getitems_per_token']} GetItem/token (first request)")
        print(f"       test kit user(): p50 {kit[name]['p50_ms']} ms, p99 {kit[name]['p99_ms']} ms ({kit[name]['way']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--tokens", type=int, default=20)
    args = parser.parse_args()
    results = {"api": through_the_api(args.requests, args.tokens), "kit": kit_principals(args.tokens)}
    report(results)
    print(f"saved {save('many_projects', results)}")


if __name__ == "__main__":
    main()
