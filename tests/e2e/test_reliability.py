"""Faults and load on the emulator: DynamoDB failing under the trigger, concurrent sign-ins, a hostile token mix."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from claimsctl import users
from tests.conftest import Deployer, claimsctl_client

PASSWORD = "Reliab1lity-Passw0rd!"


@pytest.fixture
def stack(deployed: Deployer) -> dict[str, str]:
    return deployed()


def add_users(clients: Any, outputs: dict[str, str], count: int) -> dict[str, tuple[str, ...]]:
    target = users.Target(outputs["UserPoolId"], outputs["UsersTableName"])
    expected = {}
    for number in range(count):
        name, projects = f"user{number:03d}", (f"proj-{number:03d}-a", f"proj-{number:03d}-b")
        users.add_or_update(claimsctl_client("cognito-idp"), claimsctl_client("dynamodb"), target,
                            users.UserSpec(name, f"{name}@example.com", projects, PASSWORD))
        expected[name] = projects
    return expected


def sign_in(idp: Any, outputs: dict[str, str], username: str) -> dict[str, Any]:
    result = idp.initiate_auth(ClientId=outputs["UserPoolClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
    return result["AuthenticationResult"]  # type: ignore[no-any-return]


def id_claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})  # type: ignore[no-any-return]


# -- DynamoDB failing under the trigger ------------------------------------------------------


class FakeDynamoDB(BaseHTTPRequestHandler):
    mode = "throttle"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.mode == "slow":
            time.sleep(10)
            return
        body = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                           "message": "Rate of requests exceeds the allowed throughput."}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["unreachable", "throttle", "slow"])
def failing_dynamodb(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "unreachable":
        yield f"http://127.0.0.1:{closed_port()}"
        return
    handler = type("Handler", (FakeDynamoDB,), {"mode": request.param})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_sign_in_survives_dynamodb_failing(stack: dict[str, str], clients: Any, failing_dynamodb: str) -> None:
    add_users(clients, stack, 1)
    lam = clients("lambda")
    function = stack["TriggerFunctionName"]
    variables = lam.get_function_configuration(FunctionName=function)["Environment"]["Variables"]
    lam.update_function_configuration(FunctionName=function, Environment={
        "Variables": {**variables, "AWS_ENDPOINT_URL_DYNAMODB": failing_dynamodb}})
    started = time.monotonic()
    tokens = sign_in(clients("cognito-idp"), stack, "user000")
    assert time.monotonic() - started < 5.0  # inside Cognito's 5 s
    assert id_claims(tokens["IdToken"])["projects"] == ""  # no project access
    events = clients("logs").filter_log_events(logGroupName=f"/aws/lambda/{function}")["events"]
    errors = [e["message"] for e in events if "project_lookup_failed" in e["message"]]
    assert len(errors) == 1


# -- concurrency -------------------------------------------------------------------------------


def test_200_concurrent_sign_ins_each_get_their_own_projects(stack: dict[str, str], clients: Any) -> None:
    expected = add_users(clients, stack, 200)
    idp = clients("cognito-idp")
    with ThreadPoolExecutor(max_workers=32) as pool:
        tokens = pool.map(lambda name: sign_in(idp, stack, name)["IdToken"], expected)
        results = dict(zip(expected, tokens, strict=True))
    for name, token in results.items():
        claims = id_claims(token)
        assert claims["cognito:username"] == name
        assert claims["projects"] == ",".join(expected[name])


def test_the_authorizer_under_500_concurrent_mixed_requests(stack: dict[str, str], clients: Any) -> None:
    add_users(clients, stack, 5)
    idp = clients("cognito-idp")
    valid = [sign_in(idp, stack, f"user{n:03d}")["IdToken"] for n in range(5)]
    expired = [_resign(token, exp=int(time.time()) - 60) for token in valid]
    forged = [_forge(token) for token in valid]
    cases = [(t, 200, n % 5) for n, t in enumerate(valid * 34)]
    cases += [(t, 401, n % 5) for n, t in enumerate(expired * 33)]
    cases += [(t, 401, n % 5) for n, t in enumerate(forged * 33)]

    def call(case: tuple[str, int, int]) -> tuple[int, int]:
        token, want, number = case
        url = f"{stack['ApiUrl']}/projects/proj-{number:03d}-a/items"
        return requests.get(url, headers={"Authorization": token}, timeout=60).status_code, want

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(call, cases))
    assert len(outcomes) >= 500
    assert [got for got, want in outcomes if got != want] == []


def _resign(token: str, **changes: Any) -> str:
    """The token with changed claims, signed with its pool's own key (so only the change can make it fail)."""
    from claimsctl.local.cognito import minting, pools

    pool = pools.by_id(id_claims(token)["iss"].rsplit("/", 1)[1])
    assert pool is not None
    return minting.sign(pool, {**id_claims(token), **changes})


def _forge(token: str) -> str:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode({**id_claims(token), "projects": "everything"}, other, algorithm="RS256", headers={"kid": "dummy"})
