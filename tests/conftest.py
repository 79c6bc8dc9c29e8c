"""Shared fixtures: one in-process emulator per test session, isolated projects, a CLI runner."""

from __future__ import annotations

import contextlib
import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from click.testing import CliRunner, Result

if TYPE_CHECKING:
    from claimsctl.local.server import Emulator

ROOT = Path(__file__).resolve().parents[1]
REGION = "us-east-1"
# The browser tests' Chromium (Debian's package; make test installs it as root) and its flags here.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """The emulator, started once for the tests that ask for it (unit tests never import it, or moto)."""
    from claimsctl.local.server import Emulator

    with Emulator(port=0) as running:
        yield running


@pytest.fixture
def endpoint(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.endpoint_url)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return emulator.endpoint_url


def client(endpoint: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id="test", aws_secret_access_key="test")


@pytest.fixture
def clients(endpoint: str) -> Any:
    return lambda service: client(endpoint, service)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass
class Project:
    """A project folder of its own: stackInputs.json and an empty web app folder."""

    root: Path
    inputs: dict[str, Any]

    @property
    def inputs_path(self) -> Path:
        return self.root / "stackInputs.json"

    @property
    def constants_file(self) -> Path:
        return self.root / "pre-token-web-app" / "public" / "claimsctl-config.json"

    def write(self, **changes: Any) -> None:
        self.inputs.update(changes)
        self.inputs_path.write_text(json.dumps(self.inputs, indent=2))

    def copy_templates(self) -> Path:
        """Give this project its own templates/ (to break them on purpose)."""
        target = self.root / "templates"
        shutil.copytree(ROOT / "templates", target)
        return target


@pytest.fixture
def project(tmp_path: Path) -> Project:
    name = unique("it")
    inputs = json.loads((ROOT / "stackInputs.json").read_text())
    inputs.update(stackName=name, userPoolName=f"{name}-users", userPoolDomainName=name,
                  usersTableName=f"{name}-users", web={"hosting": "none"})  # tests that host the app say so
    (tmp_path / "pre-token-web-app").mkdir()
    made = Project(tmp_path, inputs)
    made.write()
    return made


@dataclass
class Cli:
    project: Project

    def __call__(self, *args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        from cli import main

        full = [*args, "--inputs", str(self.project.inputs_path)] if args and args[0] != "local" else list(args)
        return runner.invoke(main, full, input=input, catch_exceptions=False)


@pytest.fixture
def cli(project: Project, endpoint: str) -> Cli:
    return Cli(project)


Deployer = Callable[..., dict[str, str]]


@pytest.fixture
def deployed(cli: Cli, project: Project) -> Iterator[Deployer]:
    """deployed(**inputs) writes those inputs, deploys the project's stack and returns its outputs; the stack
    is torn down after the test (the one deploy-then-teardown fixture)."""
    made = False

    def deploy(**changes: Any) -> dict[str, str]:
        nonlocal made
        project.write(**changes)
        result = cli("deploy", "--yes", "--output", "json")
        assert result.exit_code == 0, result.output
        made = True
        return json.loads(result.stdout)["outputs"]  # type: ignore[no-any-return]

    yield deploy
    if made:
        cli("teardown", "--yes")


def claimsctl_client(service: str) -> Any:
    """A client of the session's emulator as claimsctl's core takes them (its error facade)."""
    import os

    from claimsctl.aws import client_of

    return client_of(client(os.environ["AWS_ENDPOINT_URL"], service))


@contextlib.contextmanager
def html_server(html: str, status: int = 200) -> Iterator[int]:
    """A web server on 127.0.0.1 that answers every GET and POST with one HTML page; yields its port."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    body = html.encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def page_on_another_site(html: str) -> Iterator[str]:
    """Serve one HTML page at http://localhost:{port}/: another site than the emulator's 127.0.0.1, as an
    attacker's page would be."""
    with html_server(html) as port:
        yield f"http://localhost:{port}/"


@contextlib.contextmanager
def source_project(folder: Path, prefix: str) -> Iterator[tuple[Callable[..., Result], Path]]:
    """A project made by `claimsctl init --with-source` in `folder`, on a stack of its own (V2_0, both designs,
    USER_PASSWORD_AUTH): (a CLI runner bound to its stackInputs.json, the folder); torn down afterwards."""
    from cli import main

    runner = CliRunner()

    def cli(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(main, [*args, "--inputs", str(folder / "stackInputs.json")], input=stdin,
                             catch_exceptions=False)

    assert runner.invoke(main, ["init", str(folder), "--with-source"]).exit_code == 0
    name = unique(prefix)
    inputs = {**json.loads((folder / "stackInputs.json").read_text()), "stackName": name, "userPoolName": name,
              "userPoolDomainName": name, "usersTableName": f"{name}-users", "userPasswordAuth": True,
              "triggerVersion": "V2_0", "api": "both"}
    (folder / "stackInputs.json").write_text(json.dumps(inputs))
    try:
        yield cli, folder
    finally:
        cli("teardown", "--yes")
