"""The emulator is safe to leave running: no web page can drive it, no Host but its own is answered,
and no request can make it hold an unbounded body. The cross-origin case is checked in a real Chromium."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, page_on_another_site

LIST_TABLES = {"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0",
               "Authorization": "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/dynamodb/aws4_request, "
                                "SignedHeaders=host, Signature=0"}


def test_a_foreign_origin_cannot_use_the_aws_apis(endpoint: str) -> None:
    refused = requests.post(endpoint, data="{}", headers={**LIST_TABLES, "Origin": "http://evil.example"}, timeout=10)
    assert refused.status_code == 403 and "TableNames" not in refused.text
    assert "access-control-allow-origin" not in {k.lower() for k in refused.headers}
    own = requests.post(endpoint, data="{}", headers={**LIST_TABLES, "Origin": endpoint}, timeout=10)
    assert own.status_code == 200 and "TableNames" in own.json()
    faults = requests.post(f"{endpoint}/_claimsctl/faults", json={}, headers={"Origin": "http://localhost:8081"}, timeout=10)
    assert faults.status_code == 403


def test_moto_cors_headers_are_gone(endpoint: str) -> None:
    answer = requests.post(endpoint, data="{}", headers=LIST_TABLES, timeout=10)
    assert answer.status_code == 200
    assert not [k for k in answer.headers if k.lower().startswith("access-control-")]


def test_browser_routes_still_answer_a_foreign_origin(endpoint: str, clients: Any) -> None:
    pool = clients("cognito-idp").create_user_pool(PoolName="cors")["UserPool"]
    jwks = requests.get(f"{endpoint}/{pool['Id']}/.well-known/jwks.json", headers={"Origin": "http://localhost:8081"},
                        timeout=10)
    assert jwks.status_code == 200 and jwks.headers["Access-Control-Allow-Origin"]
    api = requests.get(f"{endpoint}/execute-api/nope/prod/x", headers={"Origin": "http://localhost:8081"}, timeout=10)
    assert api.status_code != 403 or "web origin" not in api.text


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:4566", "127.0.0.1.nip.io"])
def test_dns_rebinding_hosts_are_refused(endpoint: str, host: str) -> None:
    answer = requests.post(endpoint, data="{}", headers={**LIST_TABLES, "Host": host}, timeout=10)
    assert answer.status_code == 403 and "TableNames" not in answer.text
    assert requests.post(endpoint, data="{}", headers={**LIST_TABLES, "Host": "localhost"}, timeout=10).status_code == 200


def test_bodies_are_bounded_per_route(endpoint: str) -> None:
    too_big = requests.post(f"{endpoint}/execute-api/any/prod/x", data=b"x" * (10 * 1024 * 1024 + 1), timeout=30)
    assert too_big.status_code == 413
    own = requests.post(f"{endpoint}/_claimsctl/faults", data=b"{" + b" " * 70_000 + b"}", timeout=10)
    assert own.status_code == 413


def test_the_work_dir_is_removed_on_exit() -> None:
    # In a process of its own: the emulator's Lambda runtime is process-wide, and the session's emulator uses it.
    script = ("from claimsctl.local.server import Emulator\n"
              "e = Emulator(port=0); e.start(); made = e._made_work_dir\n"
              "print(made, made.exists()); e.stop(); print(made.exists())\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    first, second = result.stdout.splitlines()[-2:]
    assert first.endswith("True") and second == "False"
    assert not Path(first.split()[0]).exists()


# -- a real browser on another origin --------------------------------------------------------------

PAGE = """<!doctype html><script>
async function attempt(url, init) {
  try { const r = await fetch(url, init); return r.status + ":" + (await r.text()).slice(0, 200); }
  catch (e) { return "blocked:" + e.name; }
}
window.results = Promise.all([
  attempt(EMULATOR + "/", {method: "POST", body: "{}", headers: {"X-Amz-Target": "DynamoDB_20120810.ListTables",
          "Content-Type": "application/x-amz-json-1.0"}}),
  attempt(EMULATOR + "/", {method: "POST", mode: "no-cors", body: "{}", headers: {"Content-Type": "text/plain"}}),
  attempt(EMULATOR + "/_claimsctl/faults",
          {method: "POST", mode: "no-cors", body: '{"throttle": {"DynamoDB_20120810.ListTables": 1}}'}),
]);
</script>"""


@pytest.fixture
def attacker_page(endpoint: str) -> Iterator[str]:
    with page_on_another_site(PAGE.replace("EMULATOR", json.dumps(endpoint))) as url:
        yield url


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs chromium (make test installs it)")
def test_a_page_on_another_origin_cannot_reach_the_aws_apis(attacker_page: str, endpoint: str) -> None:
    from playwright.sync_api import sync_playwright

    before = requests.get(f"{endpoint}/_claimsctl/stats", timeout=10).json()["requests_by_target"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(attacker_page)
            results = page.evaluate("window.results")
        finally:
            browser.close()
    assert results[0].startswith("blocked:")  # the preflight is refused: no CORS headers
    assert all("TableNames" not in r for r in results)
    after = requests.get(f"{endpoint}/_claimsctl/stats", timeout=10).json()
    assert after["requests_by_target"].get("DynamoDB_20120810.ListTables", 0) == before.get(
        "DynamoDB_20120810.ListTables", 0)
    still_served = requests.post(endpoint, data="{}", headers=LIST_TABLES, timeout=10)
    assert still_served.status_code == 200  # the page's cross-site POST to /_claimsctl/faults did not land


def test_a_second_emulator_in_one_process_is_refused_and_the_first_keeps_serving(endpoint: str) -> None:
    """moto's backends are process-wide: a second instance would silently share the first one's pools."""
    from claimsctl.local.server import Emulator, EmulatorAlreadyRunning

    second = Emulator(port=0)
    with pytest.raises(EmulatorAlreadyRunning, match="already running in this process"):
        second.start()
    second.stop()  # a refused emulator's stop leaves the running one alone
    assert requests.get(f"{endpoint}/_claimsctl/health", timeout=10).json()["status"] == "ok"
