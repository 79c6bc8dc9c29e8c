"""Bad input gets one clear message, never a traceback and never a half-done change."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from claimsctl import apiclient, inputs, render
from claimsctl_runtime import projects
from tests.conftest import ROOT, Cli, Project


def run_render(cli: Cli) -> Any:
    return cli("render")


@pytest.mark.parametrize("content", [
    b"\xff\xfe{\x00}\x00",                                   # UTF-16, not UTF-8
    b"[" * 100_000 + b"]" * 100_000,                          # nested 100,000 deep
    b'{"stackName": ' + b"9" * 5000 + b"}",                   # past Python's integer digit limit
])
def test_hostile_stack_inputs_get_one_message(cli: Cli, project: Project, content: bytes) -> None:
    project.inputs_path.write_bytes(content)
    result = cli("render")
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "Traceback" not in result.output
    assert "stackInputs.json" in result.output


@pytest.mark.parametrize(("key", "value"), [("stackName", "demo\n"), ("usersTableName", "users\n"),
                                            ("userPoolDomainName", "demo\n")])
def test_a_trailing_newline_is_not_a_valid_name(key: str, value: str) -> None:
    document = json.loads((ROOT / "stackInputs.json").read_text())
    document[key] = value
    with pytest.raises(inputs.InputsError, match=key):
        inputs.parse(document)


def test_username_with_a_newline_is_refused_before_any_write(cli: Cli, project: Project, clients: Any) -> None:
    assert cli("deploy", "--yes").exit_code == 0
    try:
        result = cli("add-user", "--username", "alice\n", "--email", "a@example.com", "--projects", "p1",
                     "--password-stdin", input="Newline-Passw0rd!\n")
        assert result.exit_code == 1 and "is not valid" in result.output
        formula = cli("add-user", "--username", "=cmd", "--email", "a@example.com", "--projects", "p1",
                      "--password-stdin", input="Newline-Passw0rd!\n")
        assert formula.exit_code == 1 and "is not valid" in formula.output
        outputs = json.loads(cli("status", "--output", "json").stdout)["outputs"]
        assert clients("cognito-idp").list_users(UserPoolId=outputs["UserPoolId"])["Users"] == []
    finally:
        cli("teardown", "--yes")


@pytest.mark.parametrize(("record", "message"), [
    ({"projects": ["p1,admin"]}, "'p1,admin' is not valid"),
    ({"projects": [True]}, "True is not valid"),
    ({"projects": [123]}, "123 is not valid"),
    ({"projects": 123}, "projects must be a string"),
    ({"username": 7}, "username must be a string"),
])
def test_json_records_accept_only_strings(tmp_path: Path, record: dict[str, Any], message: str) -> None:
    from claimsctl import bulk
    from claimsctl.errors import UserError

    row = {"username": "jo", "email": "jo@example.com", "projects": ["p1"], **record}
    source = tmp_path / "users.json"
    source.write_text(json.dumps([row]))
    with pytest.raises(UserError, match="nothing was written") as raised:
        bulk.read(source)
    assert message in str(raised.value)


@pytest.mark.parametrize("content", [b"[" * 100_000, b'[{"username": ' + b"1" * 5000 + b"}]", b"\xff\xfe"])
def test_hostile_json_user_files_get_one_message(cli: Cli, project: Project, content: bytes) -> None:
    source = project.root / "users.json"
    source.write_bytes(content)
    result = cli("add-user", "--from-file", str(source), "--passwords-out", str(project.root / "pw.csv"))
    assert result.exit_code == 1 and "Cannot read" in result.output and "Traceback" not in result.output


def test_project_ids_are_whole_values() -> None:
    assert projects.is_valid("p1") and projects.is_valid("A_b-3")
    for bad in ("p1\n", " p1", "p1,p2", "*", "p?", "", "a" * 65, "é", True, 1, None):
        assert not projects.is_valid(bad), bad


def test_token_validity_is_a_setting() -> None:
    document = json.loads((ROOT / "stackInputs.json").read_text())
    rendered = render.render(ROOT / "templates", inputs.parse({**document, "idTokenValidityMinutes": 15}))
    assert "IdTokenValidity: 15" in rendered and "AccessTokenValidity: 15" in rendered
    with pytest.raises(inputs.InputsError, match="idTokenValidityMinutes"):
        inputs.parse({**document, "idTokenValidityMinutes": 2})


# -- claimsctl request never carries the token across a redirect ------------------------------------


class Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        Recorder.seen.append(dict(self.headers))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        return


def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def elsewhere() -> Iterator[str]:
    Recorder.seen = []
    yield from serve(Recorder)


def test_request_does_not_follow_a_redirect_with_the_token(elsewhere: str) -> None:
    class Redirector(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", f"{elsewhere}/stolen")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    for api in serve(Redirector):
        answer = apiclient.call(api, "GET", "/projects/p1/items", "secret-token")
        assert answer.status == 302
    assert all("secret-token" not in json.dumps(headers) for headers in Recorder.seen)


def test_an_unknown_trigger_version_is_refused_naming_the_known_ones() -> None:
    document = json.loads((ROOT / "stackInputs.json").read_text())
    assert inputs.parse({**document, "triggerVersion": "V3_0"}).trigger.serves_machines
    with pytest.raises(inputs.InputsError, match=r"V1_0, V2_0, V3_0"):
        inputs.parse({**document, "triggerVersion": "V4_0"})


def test_a_rest_cognito_authorizer_passes_claims_as_strings() -> None:
    from claimsctl.local.apigateway.execute import _claim_text

    assert _claim_text("cognito:groups", ["admins", "users"]) == "admins,users"
    assert _claim_text("email_verified", True) == "true"
    assert _claim_text("exp", 1469814773) == "Fri Jul 29 17:52:53 UTC 2016"
    assert _claim_text("auth_time", 1469814773) == "1469814773"
