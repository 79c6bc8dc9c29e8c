"""API Gateway's documented REST API size limits on the emulator: headers (413) and the method ARN (414)."""

from __future__ import annotations

from typing import Any

import requests

from claimsctl.local.apigateway import execute, limits
from tests.emulator.test_apigateway import RestApi


def _sent_header_bytes(api: RestApi, headers: dict[str, str]) -> int:
    """The header section requests will send for these headers (it adds Host, User-Agent and the rest)."""
    prepared = requests.Session().prepare_request(requests.Request("GET", api.url + "/things/t1", headers=headers))
    host = len("Host") + 4 + len(api.url.split("/")[2])
    return host + sum(len(k) + 4 + len(v) for k, v in prepared.headers.items())


def test_headers_past_10240_bytes_are_413_before_the_authorizer_runs(clients: Any, endpoint: str) -> None:
    api = RestApi(clients, endpoint, "TOKEN", ttl=0)
    padding = limits.HEADER_BYTES - _sent_header_bytes(api, {"Authorization": "let-me-in", "X-Pad": ""})
    at_limit = api.get("/things/t1", Authorization="let-me-in", **{"X-Pad": "p" * padding})
    assert at_limit.status_code == 200, at_limit.text
    before = execute.stats().get("authorizer_invocations", 0)
    over = api.get("/things/t1", Authorization="let-me-in", **{"X-Pad": "p" * (padding + 1)})
    assert over.status_code == 413 and over.headers["x-amzn-ErrorType"] == "RequestTooLargeException"
    assert over.json()["message"] == "Request Too Long" and str(limits.HEADER_BYTES) in over.json()["detail"]
    assert execute.stats().get("authorizer_invocations", 0) == before


def test_a_method_arn_past_1600_bytes_is_414(clients: Any, endpoint: str) -> None:
    api = RestApi(clients, endpoint, "TOKEN", ttl=0)
    assert api.get("/things/" + "t" * 1400, Authorization="let-me-in").status_code == 200
    long = api.get("/things/" + "t" * 1600, Authorization="let-me-in")
    assert long.status_code == 414 and "method ARN" in long.json()["detail"]
