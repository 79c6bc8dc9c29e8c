"""HTTP/1.1 persistent connections: kept open between requests, as AWS endpoints keep them, and never at the
cost of reading one request's bytes as another's."""

from __future__ import annotations

import http.client
import json
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from claimsctl.local.keep_alive import MAX_DRAIN


def _address(emulator: Any) -> tuple[str, int]:
    parts = urlsplit(emulator.endpoint_url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def _request(host: str, method: str, path: str, body: bytes = b"", version: str = "HTTP/1.1",
             headers: dict[str, str] | None = None) -> bytes:
    lines = [f"{method} {path} {version}", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def _read_responses(sock: socket.socket, count: int) -> list[Answer]:
    """`count` responses read in order from one connection (each with a Content-Length, as the emulator's are)."""
    reader = sock.makefile("rb")
    found = []
    for _ in range(count):
        status = int(reader.readline().split()[1])
        headers = {}
        while (line := reader.readline().strip()):
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        found.append(Answer(status, headers, reader.read(int(headers.get("content-length", "0")))))
    return found


def test_two_requests_share_one_connection(emulator: Any) -> None:
    host, port = _address(emulator)
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("GET", "/_claimsctl/health")
    first = connection.getresponse()
    assert json.loads(first.read())["status"] == "ok"
    assert first.getheader("Connection") != "close"
    kept = connection.sock
    connection.request("GET", "/_claimsctl/stats")
    second = connection.getresponse()
    assert second.status == 200 and "requests_by_target" in json.loads(second.read())
    assert connection.sock is kept  # the same TCP connection answered both
    connection.close()


def test_pipelined_requests_are_each_answered_even_when_a_body_is_left_unread(emulator: Any) -> None:
    """The health route never reads its body: the bytes after it are the next request, not garbage."""
    host, port = _address(emulator)
    with socket.create_connection((host, port), timeout=10) as sock:
        ignored_body = b'{"not": "read by the health route"}'
        sock.sendall(_request(f"{host}:{port}", "POST", "/_claimsctl/health", ignored_body)
                     + _request(f"{host}:{port}", "GET", "/_claimsctl/stats"))
        first, second = _read_responses(sock, 2)
    assert first.status == 200 and json.loads(first.body)["status"] == "ok"
    assert second.status == 200 and "requests_by_target" in json.loads(second.body)


def test_a_client_asking_to_close_gets_a_closed_connection(emulator: Any) -> None:
    host, port = _address(emulator)
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(_request(f"{host}:{port}", "GET", "/_claimsctl/health", headers={"Connection": "close"}))
        (response,) = _read_responses(sock, 1)
        assert response.headers.get("connection") == "close"
        assert sock.recv(1) == b""  # the server closed its side


def test_http_1_0_is_answered_then_closed(emulator: Any) -> None:
    host, port = _address(emulator)
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(_request(f"{host}:{port}", "GET", "/_claimsctl/health", version="HTTP/1.0"))
        (response,) = _read_responses(sock, 1)
        assert response.status == 200
        assert sock.recv(1) == b""


def test_a_refused_body_too_large_to_drain_closes_the_connection_without_waiting_for_it(emulator: Any) -> None:
    """413 before the body is sent: the server must neither wait for the body nor read it as a request."""
    host, port = _address(emulator)
    with socket.create_connection((host, port), timeout=10) as sock:
        declared = 11 * 1024 * 1024  # over execute-api's 10 MB limit, and over what is ever drained
        assert declared > MAX_DRAIN
        head = _request(f"{host}:{port}", "POST", "/execute-api/x/prod/y").replace(
            b"Content-Length: 0", f"Content-Length: {declared}".encode())
        sock.sendall(head)
        (response,) = _read_responses(sock, 1)
        assert response.status == 413
        assert sock.recv(1) == b""
