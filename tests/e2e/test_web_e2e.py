"""The web demo in a real browser (Debian's Chromium, driven by Playwright) against the emulator's hosted UI.

Deploys, adds a user with two projects, runs the app with `npm start` (Vite's dev server), clicks Login,
fills the hosted login form, and checks the page shows exactly those projects, also after a reload; then Logout, the implicit flow
(?flow=implicit), and a wrong password. The hosted copy ("web": {"hosting": "s3"}) is published by deploy
to the stack's bucket and opened at its CloudFront URL.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, Cli, Project

WEB = ROOT / "pre-token-web-app"
PASSWORD = "Browser-Passw0rd!"

MISSING = not Path(CHROMIUM).exists() or not (WEB / "node_modules").exists()
if MISSING and os.environ.get("CLAIMSCTL_REQUIRE_BROWSER"):
    raise RuntimeError("CLAIMSCTL_REQUIRE_BROWSER is set but chromium or the web app's node_modules is missing")
pytestmark = pytest.mark.skipif(MISSING, reason="needs chromium and the web app npm packages (make test installs both)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str) -> bool:
    """The page is served (HTTP 200 with a body) now."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200 and response.read())
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def npm_start(app: Path, port: int) -> Iterator[None]:
    """`npm start` (Vite's dev server) in the project's own copy of the web app, on a loopback port."""
    log = app / "npm-start.log"
    with log.open("wb") as output:
        process = subprocess.Popen(["npm", "start", "--", "--host", "127.0.0.1", "--port", str(port), "--strictPort"],
                                   cwd=app, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _ in range(600):  # bounded: 60 s for the dev server to answer (listening is not enough: Vite may
            assert process.poll() is None, log.read_text()  # still restart once it has optimised its dependencies)
            if _answers(f"http://127.0.0.1:{port}/"):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("npm start did not answer within 60 s:\n" + log.read_text())
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


def web_app_copy(target: Path) -> None:
    """The web app's sources in a project folder of its own, sharing the checkout's node_modules."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(WEB, target, ignore=shutil.ignore_patterns("node_modules", "dist", "claimsctl-config.json"))
    (target / "node_modules").symlink_to(WEB / "node_modules", target_is_directory=True)


@pytest.fixture
def app_url(cli: Cli, project: Project, request: pytest.FixtureRequest) -> Iterator[str]:
    """The project's web app under `npm start`, as a developer runs it, with the config deploy wrote for it."""
    web_app_copy(project.root / "pre-token-web-app")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    project.write(callbackUrls=[url], logoutUrls=[url], **getattr(request, "param", {}))
    deployed = cli("deploy", "--yes")
    assert deployed.exit_code == 0, deployed.output
    added = cli("add-user", "--username", "alice", "--email", "alice@example.com", "--projects",
                "project-b,project-a:editor", "--password-stdin", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    with npm_start(project.root / "pre-token-web-app", port):
        yield url
    cli("teardown", "--yes")


@pytest.fixture
def hosted_url(cli: Cli, project: Project) -> Iterator[str]:
    web_app_copy(project.root / "pre-token-web-app")
    project.write(web={"hosting": "s3"})
    deployed = cli("deploy", "--yes", "--output", "json")
    assert deployed.exit_code == 0, deployed.output
    added = cli("add-user", "--username", "alice", "--email", "alice@example.com", "--projects",
                "project-b,project-a:editor", "--password-stdin", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    status = cli("status", "--output", "json")
    url = json.loads(status.output)["outputs"]["WebUrl"]
    assert f"Web app: {url}" in " ".join(deployed.output.split())
    yield url
    cli("teardown", "--yes")


@pytest.fixture
def page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(20_000)
        yield context.new_page()
        browser.close()


SHOWN = [("project-a", "editor"), ("project-b", "viewer")]


def shown(page: Any) -> list[tuple[str, str]]:
    """The projects the page lists, each with the role it shows."""
    page.wait_for_selector("[data-testid=projects]")
    return list(zip(page.get_by_test_id("project").all_inner_texts(), page.get_by_test_id("role").all_inner_texts(),
                    strict=True))


def sign_in(page: Any, app_url: str, password: str) -> None:
    page.goto(app_url)
    page.get_by_role("button", name="Login").click()
    page.wait_for_selector("input[name=username]")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_sign_in_shows_exactly_the_users_projects_then_errors_and_logout(page: Any, app_url: str) -> None:
    sign_in(page, app_url, PASSWORD)
    page.wait_for_selector("[data-testid=projects]")
    assert page.get_by_test_id("username").inner_text() == "alice"
    assert shown(page) == SHOWN
    page.get_by_role("button", name="Show Token Detail").click()
    claim = page.get_by_test_id("custom-claim")
    assert claim.count() == 1 and '"projects": "project-a:editor,project-b"' in claim.inner_text()
    screenshot = Path(os.environ.get("CLAIMSCTL_SCREENSHOT", str(ROOT / "benchmarks" / "results" / "token-view.png")))
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot), full_page=True)

    page.reload()  # the code-flow session survives a reload
    page.wait_for_selector("[data-testid=projects]")
    assert shown(page) == SHOWN

    page.get_by_role("button", name="Logout").click()
    page.get_by_role("button", name="Login").wait_for()
    assert page.url.startswith(app_url)

    sign_in(page, app_url + "?flow=implicit", PASSWORD)  # the original sample's flow: tokens in the fragment
    page.wait_for_selector("[data-testid=projects]")
    assert shown(page) == SHOWN
    assert "#" not in page.url  # the tokens are taken out of the address bar
    page.reload()  # the implicit session survives a reload too, kept as the code flow keeps its own
    page.wait_for_selector("[data-testid=projects]")
    assert shown(page) == SHOWN
    assert "#" not in page.url and "token" not in page.url
    page.get_by_role("button", name="Logout").click()
    page.get_by_role("button", name="Login").wait_for()
    page.reload()  # signed out stays signed out
    page.get_by_role("button", name="Login").wait_for()

    sign_in(page, app_url, "Wrong-passw0rd!")
    assert page.locator("#error").inner_text() == "Incorrect username or password."


@pytest.mark.parametrize("app_url", [{"mfa": "required"}], indirect=True)
def test_required_mfa_in_the_browser_sets_up_an_authenticator_then_shows_the_projects(page: Any, app_url: str) -> None:
    import base64
    import time

    from cryptography.hazmat.primitives.hashes import SHA1
    from cryptography.hazmat.primitives.twofactor.totp import TOTP

    def totp_code(key: str, offset_steps: int = 0) -> str:
        totp = TOTP(base64.b32decode(key), 6, SHA1(), 30, enforce_key_length=False)  # noqa: S303 - RFC 6238
        return totp.generate(time.time() + 30 * offset_steps).decode()

    sign_in(page, app_url, PASSWORD)
    key = page.locator("#totp-key").inner_text()  # the set-up page, with the QR code
    assert page.locator("#qr svg").count() == 1
    page.fill("input[name=code]", totp_code(key))
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=projects]")
    assert shown(page) == SHOWN

    page.get_by_role("button", name="Logout").click()
    sign_in(page, app_url, PASSWORD)  # the next sign-in asks for a fresh code
    page.wait_for_selector("input[name=code]")
    assert page.locator("#totp-key").count() == 0
    page.fill("input[name=code]", totp_code(key, offset_steps=1))
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=projects]")
    assert shown(page) == SHOWN


def test_the_hosted_copy_behind_cloudfront_signs_in_and_sends_the_security_headers(page: Any, hosted_url: str) -> None:
    assert ".cloudfront.localhost:" in hosted_url  # the emulator's address for https://{label}.cloudfront.net/
    refused: list[str] = []  # what the Content-Security-Policy blocked, as Chromium reports it
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)
    response = page.goto(hosted_url)
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["strict-transport-security"].startswith("max-age=63072000")
    sign_in(page, hosted_url, PASSWORD)  # the CSP allows the hosted UI and the user pool, nothing else
    page.wait_for_selector("[data-testid=projects]")
    assert page.url.startswith(hosted_url)
    assert shown(page) == SHOWN
    page.get_by_role("button", name="Show Token Detail").click()
    assert '"projects": "project-a:editor,project-b"' in page.get_by_test_id("custom-claim").inner_text()

    deep_link = page.goto(hosted_url + "projects/project-a")  # no such file: the single-page app's fallback
    assert deep_link.status == 200
    page.wait_for_selector("[data-testid=projects]")
    assert shown(page) == SHOWN

    page.get_by_role("button", name="Logout").click()  # the post's own flow, behind CloudFront, across a reload
    sign_in(page, hosted_url + "?flow=implicit", PASSWORD)
    page.wait_for_selector("[data-testid=projects]")
    page.reload()
    page.wait_for_selector("[data-testid=projects]")
    assert shown(page) == SHOWN
    assert "#" not in page.url
    assert refused == []


@pytest.mark.parametrize("app_url", [{"refreshTokenRotation": {"enabled": True, "retryGracePeriodSeconds": 0}}],
                         indirect=True)
def test_refresh_in_the_browser_shows_the_new_projects_and_keeps_the_rotated_token(
        page: Any, app_url: str, project: Project, clients: Any) -> None:
    import requests

    from claimsctl_runtime import projects as grants

    def stored_user() -> dict[str, Any]:  # oidc-client-ts keeps the signed-in user in sessionStorage
        found = page.evaluate("() => Object.keys(sessionStorage).filter(k => k.startsWith('oidc.user:'))"
                              ".map(k => sessionStorage.getItem(k))")
        assert len(found) == 1
        return json.loads(found[0])  # type: ignore[no-any-return]

    sign_in(page, app_url, PASSWORD)
    assert shown(page) == SHOWN
    first = stored_user()["refresh_token"]
    clients("dynamodb").put_item(TableName=project.inputs["usersTableName"], Item={
        "userName": {"S": "alice"}, "projects": grants.to_item(["project-c:editor"])})
    assert shown(page) == SHOWN  # the token in hand still says what it said
    page.get_by_role("button", name="Refresh Tokens").click()
    page.wait_for_function("() => document.querySelector('[data-testid=project]')?.textContent === 'project-c'")
    assert shown(page) == [("project-c", "editor")]
    second = stored_user()["refresh_token"]
    assert second != first  # the rotated token replaced the old one in the app's session
    config = json.loads((project.root / "pre-token-web-app" / "public" / "claimsctl-config.json").read_text())
    token_url = f"{config['hostedUiUrl']}/oauth2/token"
    old = requests.post(token_url, data={"grant_type": "refresh_token", "client_id": config["clientId"],
                                         "refresh_token": first}, timeout=15)
    assert old.status_code == 400 and old.json()["error"] == "invalid_grant"  # no grace period: gone at once
    page.get_by_role("button", name="Refresh Tokens").click()  # the kept token refreshes again
    page.wait_for_function(f"() => !Object.keys(sessionStorage).some(k => k.startsWith('oidc.user:') && "
                           f"sessionStorage.getItem(k).includes({json.dumps(second)}))")
    assert shown(page) == [("project-c", "editor")]
