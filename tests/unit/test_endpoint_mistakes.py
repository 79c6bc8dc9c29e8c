"""A newcomer's endpoint mistakes: each is one line naming the endpoint and what to check, with no traceback;
a port where nothing listens is not retried (retries are for AWS)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import ROOT, html_server


@pytest.fixture
def inputs_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("AWS_ENDPOINT_URL", "AWS_MAX_ATTEMPTS", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "stackInputs.json"
    path.write_text((ROOT / "stackInputs.json").read_text())
    return path


def _status(inputs_path: Path, endpoint: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["status", "--inputs", str(inputs_path), "--endpoint-url", endpoint])
    return result.exit_code, result.output


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def another_web_server() -> Iterator[str]:
    """A web server that is not AWS: it answers every request with an HTML page."""
    with html_server("<!doctype html><html><body><h1>Not Found</h1></body></html>", status=404) as port:
        yield f"http://127.0.0.1:{port}"


def test_an_endpoint_without_a_scheme_is_one_line_with_the_fix(inputs_path: Path) -> None:
    code, output = _status(inputs_path, "127.0.0.1:4566")
    assert code == 1 and "Traceback" not in output and len(output.strip().splitlines()) == 1
    assert output.startswith("Error: --endpoint-url (or AWS_ENDPOINT_URL) 127.0.0.1:4566 is not an http:// or "
                             "https:// URL")
    assert "http://127.0.0.1:4566" in output and "claimsctl local start" in output


def test_an_endpoint_with_a_path_is_one_line_naming_the_base_url(inputs_path: Path) -> None:
    code, output = _status(inputs_path, "http://127.0.0.1:4566/wrong/path")
    assert code == 1 and "Traceback" not in output and len(output.strip().splitlines()) == 1
    assert "--endpoint-url (or AWS_ENDPOINT_URL) http://127.0.0.1:4566/wrong/path has a path" in output
    assert "e.g. http://127.0.0.1:4566 " in output


def test_another_web_server_is_one_line_naming_the_endpoint_and_what_to_check(inputs_path: Path,
                                                                              another_web_server: str) -> None:
    code, output = _status(inputs_path, another_web_server)
    assert code == 1 and "Traceback" not in output and "ResponseParserError" not in output
    assert " ".join(output.split()) == (
        f"Error: {another_web_server} did not answer as the AWS emulator does: use the URL `claimsctl local start` "
        "prints (scheme, host and port, no path), and check the region.")


def test_a_refused_loopback_port_is_tried_once(inputs_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without AWS_MAX_ATTEMPTS, botocore would try a refused connection up to 8 times with back-off."""
    from botocore.httpsession import URLLib3Session

    sent: list[str] = []
    original = URLLib3Session.send

    def counting(self: URLLib3Session, request: Any) -> Any:
        sent.append(request.url)
        return original(self, request)

    monkeypatch.setattr(URLLib3Session, "send", counting)
    closed = _closed_port()
    code, output = _status(inputs_path, f"http://127.0.0.1:{closed}")
    assert code == 1 and f"Nothing answers at http://127.0.0.1:{closed}" in output
    assert len(sent) == 1


def test_retries_remain_for_a_remote_endpoint_and_for_the_emulators_other_errors() -> None:
    """The no-retry rule is for a refused loopback connection only."""
    from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

    from claimsctl.aws import Aws

    remote = Aws(region="us-east-1", endpoint_url="https://cloudformation.us-east-1.amazonaws.com").client("sts").raw
    local = Aws(region="us-east-1", endpoint_url="http://127.0.0.1:4566").client("sts").raw

    def first_answer(raw: Any, exc: Exception) -> Any:
        responses = raw.meta.events.emit("needs-retry.sts.GetCallerIdentity", response=None, endpoint=None,
                                         operation=raw.meta.service_model.operation_model("GetCallerIdentity"),
                                         attempts=1, caught_exception=exc, request_dict={"context": {}})
        return next((answer for _, answer in responses if answer is not None), None)

    refused = EndpointConnectionError(endpoint_url="http://127.0.0.1:4566")
    with pytest.raises(EndpointConnectionError):  # final: no retry
        first_answer(local, refused)
    assert first_answer(remote, refused) not in (None, False)  # a delay: retried
    assert first_answer(local, ConnectTimeoutError(endpoint_url="x")) not in (None, False)


def test_outside_a_project_folder_points_to_init(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["deploy", "--yes"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "claimsctl init" in result.output and "shipped stackInputs.json" not in result.output
