"""The test kit's figures: session start (emulator up, stack deployed), a new signed-in user through the
real trigger against moto's in-process `mock_aws` doing the nearest equivalent (a trigger-less create and
sign-in), a restore with 20 users, the plugin's own overhead on a suite of 50 small tests, and the
staleness window of both designs found with the emulator's clock (shipped settings, and a 5-minute token
with no authorizer cache).

Run: python -m benchmarks.testkit [--users 200]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, save, summary_ms

SMALL_TEST = "def test_{n}():\n    assert {n} + 1 > {n}\n\n"
USER_TEST = "def test_{n}(claims_stack):\n    assert claims_stack.user(projects=['p1']).claims\n\n"


def _project(folder: Path, **changes: Any) -> Path:
    subprocess.run([sys.executable, str(ROOT / "cli.py"), "init", "app"], cwd=folder, check=True, capture_output=True,
                   timeout=120)
    project = folder / "app"
    inputs = json.loads((project / "stackInputs.json").read_text())
    (project / "stackInputs.json").write_text(json.dumps({**inputs, **changes}))
    return project


def _timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def session_start(project: Path) -> tuple[Any, dict[str, float]]:
    from claimsctl.testing.stack import ClaimsStack

    started = time.perf_counter()
    stack = ClaimsStack(project).open()
    return stack, {"session_start_s": round(time.perf_counter() - started, 2)}


def users(stack: Any, count: int) -> dict[str, Any]:
    stack.user(projects=["p1"])  # the first: the client's own first calls
    samples = [_timed(lambda: stack.user(projects=["p1", "p2:editor"])) for _ in range(count)]
    return summary_ms(samples)


def moto_create_and_sign_in(count: int) -> dict[str, Any]:
    """moto's in-process mock_aws: create a user, set its password, sign in (no trigger, no row, no HTTP)."""
    import boto3
    from moto import mock_aws

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        idp = boto3.client("cognito-idp", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
        pool = idp.create_user_pool(PoolName="bench")["UserPool"]["Id"]
        client = idp.create_user_pool_client(UserPoolId=pool, ClientName="c",
                                             ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
        counter = iter(range(10**9))

        def one() -> None:
            name = f"u{next(counter)}"
            idp.admin_create_user(UserPoolId=pool, Username=name, MessageAction="SUPPRESS")
            idp.admin_set_user_password(UserPoolId=pool, Username=name, Password="Bench-Passw0rd!", Permanent=True)
            idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": name, "PASSWORD": "Bench-Passw0rd!"})

        one()
        return summary_ms([_timed(one) for _ in range(count)])


def restore_with(stack: Any, user_count: int, rounds: int = 10) -> dict[str, Any]:
    samples = []
    for _ in range(rounds):
        for _ in range(user_count):
            stack.user(projects=["p1"])
        samples.append(_timed(stack.reset))
    return summary_ms(samples)


def _allowed_after(stack: Any, seconds: float, design: str) -> bool:
    """Revoked at once after the first (cached) call: is the project still usable `seconds` later?"""
    stack.reset()
    user = stack.user(projects=["p1"])
    stack.call("GET", f"{design}/projects/p1/items", user)
    stack.set_projects(user, [])
    stack.advance(seconds)
    return bool(stack.call("GET", f"{design}/projects/p1/items", user).status == 200)


def window(stack: Any, design: str, upper: float) -> float:
    """The longest time after a revocation that the project still works, to a second (0: it stops at once)."""
    if not _allowed_after(stack, 0, design):
        return 0.0
    low, high = 0.0, upper
    while high - low > 1:
        middle = (low + high) / 2
        low, high = (middle, high) if _allowed_after(stack, middle, design) else (low, middle)
    return round(low)


def staleness(folder: Path, **settings: Any) -> dict[str, Any]:
    from claimsctl.testing.stack import ClaimsStack

    stack = ClaimsStack(_project(folder, **settings)).open()
    try:
        validity, ttl = stack.inputs.id_token_validity_minutes * 60, stack.inputs.authorizer_cache_ttl
        return {"token_validity_s": validity, "authorizer_cache_ttl_s": ttl,
                "optimized_window_s": window(stack, "", validity + ttl + 120),
                "standard_window_s": window(stack, "/standard", validity + ttl + 120),
                "formula_optimized_s": max(validity, ttl)}
    finally:
        stack.close()


def plugin_overhead(folder: Path) -> dict[str, Any]:
    """50 small tests that do not use the stack, with the plugin and without (-p no:claimsctl), median of 7."""
    project = _project(folder)
    (project / "tests" / "test_claims.py").unlink()
    (project / "tests" / "test_small.py").write_text("".join(SMALL_TEST.format(n=n) for n in range(50)))

    def run(*extra: str) -> float:
        return _timed(lambda: subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra],
                                             cwd=project, check=True, capture_output=True, timeout=600))

    pairs = [(run(), run("-p", "no:claimsctl")) for _ in range(7)]  # alternating: the machine drifts
    with_plugin = statistics.median(a for a, _ in pairs)
    without = statistics.median(b for _, b in pairs)
    (project / "tests" / "test_users.py").write_text("".join(USER_TEST.format(n=n) for n in range(50)))
    using = run("tests/test_users.py")
    return {"50_small_tests_with_plugin_s": round(with_plugin, 3), "without_s": round(without, 3),
            "overhead_ms": round((with_plugin - without) * 1000, 1),
            "50_tests_each_making_a_user_s (incl. session start)": round(using, 2)}


def run(user_count: int = 200) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "a").mkdir()
        stack, started = session_start(_project(folder / "a"))
        result: dict[str, Any] = dict(started)
        try:
            result["new_user_through_trigger"] = users(stack, user_count)
            result["restore_with_20_users"] = restore_with(stack, 20)
        finally:
            stack.close()
        result["moto_mock_aws_create_and_sign_in"] = moto_create_and_sign_in(user_count)
        result["user_over_moto_p50"] = round(result["new_user_through_trigger"]["p50_ms"]
                                             / result["moto_mock_aws_create_and_sign_in"]["p50_ms"], 2)
        for name, settings in (("shipped", {}), ("short", {"idTokenValidityMinutes": 5, "authorizerCacheTtl": 0}),
                               ("cache_outlives_token", {"idTokenValidityMinutes": 5, "authorizerCacheTtl": 900})):
            (folder / name).mkdir()
            result[f"staleness_{name}"] = staleness(folder / name, **settings)
        (folder / "overhead").mkdir()
        result["plugin"] = plugin_overhead(folder / "overhead")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    args = parser.parse_args()
    result = run(args.users)
    print(json.dumps(result, indent=2))
    print(f"results: {save('testkit', result)}")


if __name__ == "__main__":
    main()
