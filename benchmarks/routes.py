"""Declared routes (issue 29): a declared route's latency in both designs against the shipped item route, the
Lambda zip's size, and each function's cold start (its handler module imported in a fresh interpreter, as
Lambda's init phase does).

Run: python -m benchmarks.routes [--requests N]   (part of make bench)
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from benchmarks.common import ROOT, emulator, save, summary_ms
from benchmarks.stack import PASSWORD, Deployed

ROUTE = {"method": "GET", "path": "/projects/{projectId}/reports", "handler": "reports.get"}
HANDLER = 'def get(request):\n    return {"projectId": request.params["projectId"], "reports": []}\n'
FUNCTIONS = {"authorizer": "authorizer", "router (both designs)": "router",
             "router + the shipped item handlers (first item request)": "router,item_routes",
             "check_user_access": "check_user_access", "pre_token_generation": "pre_token_generation"}
ENV = {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "bench",
       "AWS_SECRET_ACCESS_KEY": "bench", "USER_POOL_ID": "us-east-1_bench", "CLIENT_ID": "bench",
       "USERS_TABLE": "bench", "ITEMS_TABLE": "bench", "ROUTES": "{}", "PYTHONPATH": str(ROOT)}


@contextmanager
def with_route() -> Iterator[Deployed]:
    """A project with its own lambda_src: the shipped code, one declared GET route, and the rule for viewers."""
    with emulator() as running, tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "lambda_src"
        shutil.copytree(ROOT / "lambda_src", source, ignore=shutil.ignore_patterns("__pycache__"))
        (source / "reports.py").write_text(HANDLER)
        claims = source / "claims.py"
        claims.write_text(claims.read_text().replace('"viewer": [("GET", "/projects/{id}/items")],',
                                                     '"viewer": [("GET", "/projects/{id}/items"), '
                                                     '("GET", "/projects/{id}/reports")],'))
        from claimsctl import apiroutes

        inputs = json.loads((ROOT / "stackInputs.json").read_text())
        inputs.update(stackName="bench", userPoolDomainName="bench-domain", usersTableName="bench-users",
                      web={"hosting": "none"}, api="both", routes=[*apiroutes.as_json(apiroutes.SHIPPED), ROUTE])
        (Path(folder) / "pre-token-web-app").mkdir()
        path = Path(folder) / "stackInputs.json"
        path.write_text(json.dumps(inputs))
        stack = Deployed(running, path, {})
        stack.outputs = json.loads(stack.claimsctl("deploy", "--yes", "--output", "json"))["outputs"]
        yield stack


def latency(stack: Deployed, requests_each: int) -> dict[str, Any]:
    stack.claimsctl("add-user", "--username", "alice", "--email", "alice@example.com", "--projects", "p1",
                    "--password-stdin", "--seed-items", "5", stdin=PASSWORD + "\n")
    token = stack.sign_in("alice")["IdToken"]
    results = {}
    for design, prefix in (("optimized", ""), ("standard", "/standard")):
        for name, route in (("declared route", "/projects/p1/reports"), ("item route", "/projects/p1/items")):
            session, url = requests.Session(), stack.outputs["ApiUrl"] + prefix + route
            assert session.get(url, headers={"Authorization": token}, timeout=30).status_code == 200, url
            samples = []
            for _ in range(requests_each):
                started = time.perf_counter()
                assert session.get(url, headers={"Authorization": token}, timeout=30).status_code == 200
                samples.append(time.perf_counter() - started)
            results[f"{design} {name}"] = summary_ms(samples)
    return results


def cold_starts(runs: int) -> dict[str, float]:
    """Median ms to import each function's handler module in a fresh interpreter (Lambda's init)."""
    snippet = ("import sys, time, importlib; sys.path.insert(0, sys.argv[1]); started = time.perf_counter(); "
               "[importlib.import_module(m) for m in sys.argv[2].split(',')]; print(time.perf_counter() - started)")
    found = {}
    for label, module in FUNCTIONS.items():
        samples = []
        for _ in range(runs):
            done = subprocess.run([sys.executable, "-c", snippet, str(ROOT / "lambda_src"), module], env=ENV,
                                  capture_output=True, text=True, check=True, timeout=120)
            samples.append(float(done.stdout.strip()) * 1000)
        found[label] = round(statistics.median(samples), 1)
    return found


def package_bytes() -> int:
    from claimsctl import package

    return len(package.build(ROOT / "lambda_src").data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--cold-runs", type=int, default=7)
    args = parser.parse_args()
    results: dict[str, Any] = {"cold_start_ms": cold_starts(args.cold_runs), "zip_bytes": package_bytes()}
    with with_route() as stack:
        results["api"] = latency(stack, args.requests)
    print(f"Lambda zip (all functions share it): {results['zip_bytes']} bytes")
    for label, ms in results["cold_start_ms"].items():
        print(f"cold start (handler import), {label}: {ms} ms")
    for name, figures in results["api"].items():
        print(f"{name}: p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms")
    save("routes", results)


if __name__ == "__main__":
    main()
