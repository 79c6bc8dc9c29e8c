"""Authorization per request: the claim (optimized) against CheckUserAccess (standard), on the same requests.

Through the API on the emulator, for GET (a viewer's route) and POST (an editor's): latency, and DynamoDB
reads and Lambda invocations per 1,000 requests. In-process: the authorizer's verify-and-decide for a new
token (through claims.routes_for) beside the pre-seam decision (verify, then one route per project id),
the standard path's lookup, and the policy's bytes and build time for 10, 100 and 500 projects with
mixed roles.
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


ROUTES = {"optimized GET": ("GET", "projects/p1/items", 200), "standard GET": ("GET", "standard/projects/p1/items", 200),
          "optimized POST": ("POST", "projects/p1/items", 201), "standard POST": ("POST", "standard/projects/p1/items", 201)}


def through_the_api(stack: Deployed, requests_each: int) -> dict[str, Any]:
    token = stack.sign_in("alice")["IdToken"]
    results = {}
    for name, (method, route, expected) in ROUTES.items():
        url = f"{stack.outputs['ApiUrl']}/{route}"
        session = requests.Session()
        body = {"title": "bench"} if method == "POST" else None
        assert session.request(method, url, headers={"Authorization": token}, json=body, timeout=30).status_code == expected
        before, samples = stack.stats(), []
        for _ in range(requests_each):
            started = time.perf_counter()
            response = session.request(method, url, headers={"Authorization": token}, json=body, timeout=30)
            samples.append(time.perf_counter() - started)
            assert response.status_code == expected
        results[name] = {**summary_ms(samples), **_deltas(before, stack.stats(), 1000 / requests_each)}
    return results


def _load_handlers(stack: Deployed) -> tuple[Any, Any]:
    os.environ.update(AWS_ENDPOINT_URL=stack.emulator.url, AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1",
                      AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      USER_POOL_ID=stack.outputs["UserPoolId"], CLIENT_ID=stack.outputs["UserPoolClientId"],
                      TOKEN_USE="id", USERS_TABLE=stack.outputs["UsersTableName"], CLAIM_NAME="projects")
    sys.path.insert(0, str(ROOT / "lambda_src"))
    return importlib.import_module("authorizer"), importlib.import_module("check_user_access")


def _pre_seam_decision(authorizer: Any, token: str, arn: str) -> dict[str, Any]:
    """The decision before the seam: verify, then one GET route per valid project id of the V1 claim."""
    from claimsctl_runtime import projects

    verified = authorizer._VERIFIER.verify(authorizer.bearer_token(token))
    base = authorizer.api_base(arn)
    ids = sorted({p for p in str(verified.get("projects", "")).split(",") if projects.is_valid(p)})
    decided: dict[str, Any] = authorizer.policy(str(verified["sub"]), "Allow",
                                                [f"{base}/GET/projects/{p}/items" for p in ids],
                                                {"username": "alice", "projects": ",".join(ids)})
    return decided


def _fresh_verifier(authorizer: Any) -> None:
    authorizer._VERIFIER.verified = type(authorizer._VERIFIER.verified)()  # a new token's decision, not a cached one


def policy_sizes(authorizer: Any) -> list[dict[str, Any]]:
    """The policy for N projects with mixed roles (a third each viewer, editor, owner): bytes and build time."""
    import json

    rows = []
    for count in (10, 100, 500):
        roles = ("", ":editor", ":owner")
        claims = {"projects": [f"project-{n:04d}{roles[n % 3]}" for n in range(count)], "sub": "bench"}
        samples, built = [], {}
        for _ in range(50):
            started = time.perf_counter()
            allowed = authorizer.allowed_routes(claims, "bench")
            built = authorizer.policy("bench", "Allow", [r.arn("arn:aws:execute-api:us-east-1:1:api/prod") for r in allowed],
                                      {"username": "bench", "claims": json.dumps(claims)})
            samples.append(time.perf_counter() - started)
        rows.append({"projects": count, "routes": len(allowed), "policy_bytes": len(json.dumps(built)),
                     **summary_ms(samples)})
    return rows


def decision_in_process(stack: Deployed, rounds: int) -> dict[str, Any]:
    authorizer, check_user_access = _load_handlers(stack)
    arn = f"arn:aws:execute-api:us-east-1:123456789012:{stack.outputs['ApiUrl'].split('/')[-2]}/prod/GET/projects/p1/items"
    tokens = [stack.sign_in("alice")["IdToken"] for _ in range(rounds)]
    authorizer.handler({"authorizationToken": tokens[0], "methodArn": arn}, None)  # JWKS fetched once
    first, before = [], []
    for token in tokens:  # alternating, so drift in the machine's speed falls on both alike
        _fresh_verifier(authorizer)
        started = time.perf_counter()
        authorizer.handler({"authorizationToken": token, "methodArn": arn}, None)
        first.append(time.perf_counter() - started)
        _fresh_verifier(authorizer)
        started = time.perf_counter()
        _pre_seam_decision(authorizer, token, arn)
        before.append(time.perf_counter() - started)
    repeated = []
    for _ in range(rounds):
        started = time.perf_counter()
        authorizer.handler({"authorizationToken": tokens[0], "methodArn": arn}, None)
        repeated.append(time.perf_counter() - started)
    lookups = []
    for _ in range(rounds):
        started = time.perf_counter()
        check_user_access.current_claims("alice")
        lookups.append(time.perf_counter() - started)
    import statistics

    return {"authorizer_first_token": summary_ms(first), "pre_seam_first_token": summary_ms(before),
            "seam_over_pre_seam_p50": round(statistics.median(first) / statistics.median(before), 2),
            "authorizer_repeated_token": summary_ms(repeated), "standard_lookup_getitem": summary_ms(lookups),
            "policy": policy_sizes(authorizer)}


def run(stack: Deployed, requests_each: int = 1000) -> dict[str, Any]:
    stack.claimsctl("add-user", "--username", "alice", "--email", "alice@example.com", "--projects", "p1:editor,p2,p3",
                    "--password-stdin", "--seed-items", "5", stdin=PASSWORD + "\n")
    return {"api": through_the_api(stack, requests_each), "decision": decision_in_process(stack, 200)}
