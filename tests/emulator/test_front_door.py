"""The emulator's door, route by route: moto's control routes are never served, the emulator's own are for
programs only, a page of another site cannot drive the AWS APIs even without an Origin header (an <img>,
a <script>, a navigation), and what a browser may call it may call only with the methods it serves."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, page_on_another_site

CROSS_SITE = {"Sec-Fetch-Site": "cross-site", "Referer": "http://attacker.example/"}
LIST_STACKS = "/?Action=ListStacks&Version=2010-05-15"
SIGNED_FOR_CLOUDFORMATION = {"Authorization": "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/cloudformation/"
                                              "aws4_request, SignedHeaders=host, Signature=0"}


@pytest.mark.parametrize("path", ["/moto-api/recorder/start-recording", "/moto-api/recorder/replay-recording",
                                  "/moto-api/recorder/download-recording", "/moto-api/seed?a=42",
                                  "/moto-api/reset", "/moto-api/", "/moto-api"])
@pytest.mark.parametrize("headers", [CROSS_SITE, {}], ids=["from-a-page", "from-a-program"])
def test_motos_control_routes_are_never_served(endpoint: str, path: str, headers: dict[str, str],
                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # where moto's recorder would write ./moto_recording
    for method in ("GET", "POST"):
        answer = requests.request(method, endpoint + path, headers=headers, timeout=10)
        assert answer.status_code == 403, (method, answer.text)
        assert "not served" in answer.json()["message"] or "programs only" in answer.json()["message"]
    assert not (tmp_path / "moto_recording").exists()


def test_a_recording_cannot_be_started_so_nothing_is_written(endpoint: str, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The review's reproduction: start recording from a page, make an AWS call, replay."""
    monkeypatch.chdir(tmp_path)
    assert requests.get(f"{endpoint}/moto-api/recorder/start-recording", headers=CROSS_SITE, timeout=10).status_code == 403
    assert requests.get(endpoint + LIST_STACKS, headers=SIGNED_FOR_CLOUDFORMATION, timeout=10).status_code == 200
    assert requests.get(f"{endpoint}/moto-api/recorder/replay-recording", timeout=10).status_code == 403
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("signals", [
    {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {"Referer": "http://attacker.example/x"},
    {"Origin": "http://localhost:8081"}], ids=["cross-site", "same-site", "foreign-referer", "foreign-origin"])
def test_a_page_of_another_site_cannot_call_the_aws_apis_without_an_origin(endpoint: str,
                                                                            signals: dict[str, str]) -> None:
    refused = requests.get(endpoint + LIST_STACKS, headers={**SIGNED_FOR_CLOUDFORMATION, **signals}, timeout=10)
    assert refused.status_code == 403 and "ListStacksResult" not in refused.text
    served = requests.get(endpoint + LIST_STACKS, headers={**SIGNED_FOR_CLOUDFORMATION, "Sec-Fetch-Site": "none",
                                                           "Referer": f"{endpoint}/hosted-ui/x/login"}, timeout=10)
    assert served.status_code == 200 and "ListStacksResult" in served.text


@pytest.mark.parametrize("signals", [CROSS_SITE, {"Sec-Fetch-Site": "same-origin"}, {"Origin": "ENDPOINT"},
                                     {"Referer": "ENDPOINT/hosted-ui/x/login"}],
                         ids=["cross-site", "same-origin", "own-origin", "own-referer"])
def test_the_control_routes_take_no_call_from_any_page(endpoint: str, signals: dict[str, str]) -> None:
    headers = {k: v.replace("ENDPOINT", endpoint) for k, v in signals.items()}
    for method, path in (("GET", "/_claimsctl/stats"), ("POST", "/_claimsctl/faults"), ("POST", "/_claimsctl/reset"),
                         ("POST", "/_claimsctl/clock"), ("GET", "/_claimsctl/clock"), ("POST", "/_claimsctl/snapshot"),
                         ("POST", "/_claimsctl/restore"), ("POST", "/_claimsctl/users")):
        answer = requests.request(method, endpoint + path, headers=headers, data=b'{"advance": 3600}', timeout=10)
        assert answer.status_code == 403 and "programs only" in answer.json()["message"], (method, path)
    assert requests.get(f"{endpoint}/_claimsctl/stats", headers={"Sec-Fetch-Site": "none"}, timeout=10).ok
    assert requests.get(f"{endpoint}/_claimsctl/clock", timeout=10).json()["offset_seconds"] == 0  # nothing moved it


def test_the_clock_moves_forward_only_and_within_a_year(endpoint: str) -> None:
    for bad in (-1, "60", None, True, 10**9):
        answer = requests.post(f"{endpoint}/_claimsctl/clock", json={"advance": bad}, timeout=10)
        assert answer.status_code == 400 and "the clock never goes back" in answer.json()["message"], bad
    moved = requests.post(f"{endpoint}/_claimsctl/clock", json={"advance": 30}, timeout=10).json()
    assert moved["offset_seconds"] == 30
    requests.post(f"{endpoint}/_claimsctl/clock", json={"advance": 0}, timeout=10)
    from claimsctl.local import clock

    clock.reset()  # this session's emulator is shared with the other tests


def test_the_jwks_route_serves_get_only_and_only_a_pools_path(endpoint: str, clients: Any) -> None:
    pool_id = clients("cognito-idp").create_user_pool(PoolName="jwks-door")["UserPool"]["Id"]
    jwks = f"{endpoint}/{pool_id}/.well-known/jwks.json"
    assert requests.get(jwks, headers={"Origin": "http://localhost:8081"}, timeout=10).status_code == 200
    posted = requests.post(jwks, headers={"Origin": "http://localhost:8081"}, timeout=10)
    assert posted.status_code == 405 and "keys" not in posted.text
    assert requests.get(jwks + "%0A", timeout=10).status_code == 404
    missing = requests.post(f"{endpoint}/us-east-1_nopool123/.well-known/jwks.json", timeout=10)
    assert missing.status_code == 405 and "dummy" not in missing.text
    assert requests.get(f"{endpoint}/us-east-1_nopool123/.well-known/jwks.json", timeout=10).status_code == 404


def test_the_hosted_ui_pages_cannot_be_framed(endpoint: str, clients: Any) -> None:
    idp = clients("cognito-idp")
    pool_id = idp.create_user_pool(PoolName="frames")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"], CallbackURLs=["http://localhost:8081/"])["UserPoolClient"]["ClientId"]
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain="frames-door")
    login = requests.get(f"{endpoint}/hosted-ui/frames-door/login", timeout=10, params={
        "client_id": client_id, "response_type": "code", "redirect_uri": "http://localhost:8081/"})
    assert login.status_code == 200 and "text/html" in login.headers["Content-Type"]
    assert login.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in login.headers["Content-Security-Policy"]
    error_page = requests.get(f"{endpoint}/hosted-ui/frames-door/login", params={"client_id": "nope"}, timeout=10)
    assert error_page.status_code == 400 and error_page.headers["X-Frame-Options"] == "DENY"


def test_a_cross_site_form_post_to_the_login_page_is_refused(endpoint: str) -> None:
    """Navigations to the hosted UI come from anywhere; its forms are posted from its own pages only."""
    assert requests.get(f"{endpoint}/hosted-ui/none/login", headers=CROSS_SITE, timeout=10).status_code == 404
    posted = requests.post(f"{endpoint}/hosted-ui/none/login", headers=CROSS_SITE, data={"username": "a"}, timeout=10)
    assert posted.status_code == 403


def test_reset_starts_again_from_nothing_and_keeps_serving() -> None:
    # In a process of its own: a reset drops every pool, and the session's emulator serves other tests.
    script = """
import boto3, requests
from claimsctl.local.server import Emulator
with Emulator(port=0) as emulator:
    idp = boto3.client("cognito-idp", endpoint_url=emulator.endpoint_url, region_name="us-east-1",
                       aws_access_key_id="x", aws_secret_access_key="x")
    idp.create_user_pool(PoolName="before")
    assert requests.post(emulator.endpoint_url + "/_claimsctl/reset", headers={"Origin": "http://a.example"},
                         timeout=10).status_code == 403
    assert len(idp.list_user_pools(MaxResults=10)["UserPools"]) == 1
    assert requests.post(emulator.endpoint_url + "/_claimsctl/reset", timeout=10).json() == {"reset": True}
    assert idp.list_user_pools(MaxResults=10)["UserPools"] == []
    idp.create_user_pool(PoolName="after")
    print("ok")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr[-2000:]


# -- a real browser: tags that send no Origin ------------------------------------------------------

TAGS_PAGE = """<!doctype html><body><script>
const urls = [EMULATOR + "/moto-api/recorder/start-recording", EMULATOR + "/moto-api/seed?a=42",
              EMULATOR + "/?Action=ListStacks&Version=2010-05-15", EMULATOR + "/_claimsctl/stats"];
window.loaded = Promise.all(urls.map((url) => new Promise((done) => {
  const image = document.createElement("img");
  image.onload = image.onerror = () => done(url);
  image.src = url;
  document.body.appendChild(image);
})));
</script></body>"""


@pytest.fixture
def tags_page(endpoint: str) -> Iterator[str]:
    with page_on_another_site(TAGS_PAGE.replace("EMULATOR", json.dumps(endpoint))) as url:
        yield url


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs chromium (make test installs it)")
def test_image_tags_on_another_site_are_refused_in_chromium(tags_page: str, endpoint: str, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.chdir(tmp_path)
    before = Counter(requests.get(f"{endpoint}/_claimsctl/stats", timeout=10).json()["refused"])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(tags_page)
            page.evaluate("window.loaded")  # the browser reads nothing back (ORB); the emulator says what it did
        finally:
            browser.close()
    refused = Counter(requests.get(f"{endpoint}/_claimsctl/stats", timeout=10).json()["refused"]) - before
    assert refused == Counter({"moto-api 403": 2, "aws-apis 403": 1, "stats 403": 1})
    assert not (tmp_path / "moto_recording").exists()
