"""Secrets never shipped and never sent on, and init's hint, as a user meets them (issue 31): add-client's
--secret-out outside anything deploy packages or publishes, and only to a regular file; `request --data
@FILE` stops at its cap; the machine-token fetch follows no redirect; `init "My App"` quotes its hint."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner, Result

from claimsctl import apiclient, login
from claimsctl.errors import SignInError
from claimsctl.outputs import StackOutputs
from cli import main
from tests.conftest import ROOT, Deployer, Project


def one_line(output: str) -> str:
    return " ".join(output.split())


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """A project made by `claimsctl init --with-source`, with a web app folder and its public/."""
    assert CliRunner().invoke(main, ["init", str(tmp_path / "app"), "--with-source"]).exit_code == 0
    (tmp_path / "app" / "pre-token-web-app" / "public").mkdir(parents=True)
    (tmp_path / "app" / "elsewhere").mkdir()
    return tmp_path / "app"


def add_client(app: Path, secret_out: str, *more: str) -> Result:
    return CliRunner().invoke(main, ["add-client", "bot", "--projects", "p1", "--secret-out", secret_out, *more,
                                     "--inputs", str(app / "stackInputs.json")])


def refused_cleanly(result: Result, *expected: str) -> str:
    said = one_line(result.output)
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1, result.output
    for text in expected:
        assert text in said, said
    return said


@pytest.mark.parametrize(("where", "reason"), [
    ("lambda_src/bot.json", "deploy zips into every Lambda function"),
    ("templates/partials/bot.json", "deploy renders into the stack's template"),
    ("pre-token-web-app/bot.json", "publishes through CloudFront"),
    ("pre-token-web-app/public/bot.json", "publishes through CloudFront"),
    ("elsewhere/../lambda_src/bot.json", "deploy zips into every Lambda function"),  # `..` resolved
    ("linked/bot.json", "deploy zips into every Lambda function"),  # a link to lambda_src/ resolved
])
def test_a_secret_is_never_written_where_deploy_ships_it(app: Path, where: str, reason: str) -> None:
    (app / "linked").symlink_to(app / "lambda_src", target_is_directory=True)
    before = sorted(path.name for path in app.rglob("*"))
    refused = add_client(app, str(app / where))
    refused_cleanly(refused, "the secret would be shipped with it", reason)
    assert sorted(path.name for path in app.rglob("*")) == before  # nothing written, not even a partial file


def test_a_relative_secret_out_inside_lambda_src_is_refused_from_the_project_folder(app: Path,
                                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(app)
    refused = CliRunner().invoke(main, ["add-client", "bot", "--secret-out", "./lambda_src/x.json"])
    refused_cleanly(refused, "lambda_src/x.json is inside", "deploy zips into every Lambda function")


@pytest.mark.parametrize("kind", ["link", "stdout", "fifo", "folder"])
def test_force_replaces_a_regular_file_only(app: Path, tmp_path: Path, kind: str) -> None:
    target = app / "elsewhere" / "bot.json"
    kept = tmp_path / "precious.txt"
    kept.write_text("precious")
    if kind == "link":
        target.symlink_to(kept)
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    name = "/dev/stdout" if kind == "stdout" else str(target)
    refused = add_client(app, name, "--force")
    if kind == "folder":  # click's own check of the option: a usage error (exit 2) in one line
        assert refused.exit_code == 2 and "Traceback" not in refused.output
        assert "Invalid value for '--secret-out'" in refused.output and "is a directory" in refused.output
    else:
        expected = {"link": "is a link, not a regular file", "stdout": "/dev/stdout is a link, not a regular file",
                    "fifo": "is a FIFO (named pipe), not a regular file"}[kind]
        refused_cleanly(refused, expected)
    assert kept.read_text() == "precious"
    if kind == "link":
        assert target.is_symlink()


def test_request_data_from_dev_zero_stops_at_the_cap(deployed: Deployer, project: Project, endpoint: str) -> None:
    deployed(api="optimized")
    command = [sys.executable, "-m", "claimsctl", "request", "POST", "/projects/p1/items", "--user", "nobody",
               "--data", "@/dev/zero", "--inputs", str(project.inputs_path)]
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "PYTHONPATH": str(ROOT)}

    def bounded() -> None:  # a regression reads /dev/zero until memory runs out: end it at 2 GiB instead
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    child = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, preexec_fn=bounded)  # only setrlimit
    try:
        _, err = child.communicate(timeout=120)
    finally:
        child.kill()
    said = one_line(err.decode())
    assert child.returncode == 1 and "Traceback" not in said, said
    assert f"--data @/dev/zero: /dev/zero is larger than {apiclient.MAX_DATA} bytes" in said
    assert "Password" not in said  # refused before anyone is asked to sign in


class _Redirecting(BaseHTTPRequestHandler):
    """A token endpoint that answers every POST with a redirect (`code`) to `target`; what each server saw is kept."""

    code: ClassVar[int] = 307
    target: ClassVar[str] = ""
    seen: ClassVar[list[dict[str, str]]] = []

    def do_POST(self) -> None:
        self.seen.append({"server": "token", **dict(self.headers)})
        self.send_response(self.code)
        self.send_header("Location", self.target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


class _Target(_Redirecting):
    """The other origin: it would hand out a token to whoever asks, by any method."""

    def do_POST(self) -> None:
        self.seen.append({"server": "target", **dict(self.headers)})
        body = json.dumps({"access_token": "from-the-other-origin"}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST


@pytest.fixture
def redirecting() -> Iterator[tuple[str, list[dict[str, str]]]]:
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), handler) for handler in (_Redirecting, _Target)]
    _Redirecting.seen = []
    _Redirecting.target = f"http://127.0.0.1:{servers[1].server_address[1]}/oauth2/token"
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    yield f"http://127.0.0.1:{servers[0].server_address[1]}", _Redirecting.seen
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_the_machine_token_fetch_never_follows_a_redirect(redirecting: tuple[str, list[dict[str, str]]],
                                                          code: int, monkeypatch: pytest.MonkeyPatch) -> None:
    hosted_ui, seen = redirecting
    monkeypatch.setattr(_Redirecting, "code", code)
    outputs = StackOutputs("us-east-1", "us-east-1_x", "web", hosted_ui, "users", "projects", "V3_0")
    with pytest.raises(SignInError) as refused:
        login.fetch_machine_token(outputs, "bot-id", "the-secret")
    said = str(refused.value)
    assert f"answered HTTP {code}, a redirect to {_Redirecting.target}" in said
    assert "never sends a client's secret on to another URL" in said and "the-secret" not in said
    assert [entry["server"] for entry in seen] == ["token"]  # the other origin was never asked
    assert seen[0]["Authorization"] == "Basic " + base64.b64encode(b"bot-id:the-secret").decode()


@pytest.mark.parametrize(("folder", "hint"), [("My App", "Next: cd 'My App' && claimsctl deploy"),
                                              ("plain", "Next: cd plain && claimsctl deploy"),
                                              ("it's", "Next: cd 'it'\"'\"'s' && claimsctl deploy"),
                                              (".", "Next: claimsctl deploy")])
def test_inits_hint_is_a_line_a_shell_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str,
                                           hint: str) -> None:
    monkeypatch.chdir(tmp_path)
    made = CliRunner().invoke(main, ["init", folder])
    assert made.exit_code == 0, made.output
    assert hint in made.output and "cd ." not in made.output
    bare = CliRunner().invoke(main, ["init", "--region", "eu-west-1"]) if folder == "." else None
    assert bare is None or "Next: claimsctl deploy" in bare.output
