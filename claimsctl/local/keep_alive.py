"""HTTP/1.1 persistent connections for the emulator's server, as AWS endpoints keep them.

werkzeug's development server answers every request with `Connection: close` (http.server cannot tell where
an unread request body ends, so the next request line could be read from the middle of it). Every AWS call
then paid a TCP handshake and a new server thread, and on the sign-in path there are two per sign-in: the
client's InitiateAuth and the trigger's GetItem. Profiling under load showed thread start-up and teardown as
a large share of the emulator's GIL time.

This handler keeps the connection open when it is safe to:
- the request is HTTP/1.1 and did not ask to close;
- its body was declared by Content-Length (a chunked body closes the connection afterwards), and whatever
  the application did not read is read and dropped before the next request, up to `MAX_DRAIN` bytes (a
  larger unread body, such as one refused with 413, closes the connection instead).
An idle connection is closed after `IDLE_SECONDS`, and `close_all` closes every open one when the emulator
stops, so no thread keeps answering for a stopped emulator.
"""

from __future__ import annotations

import io
import logging
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from werkzeug.serving import WSGIRequestHandler
from werkzeug.wsgi import LimitedStream

IDLE_SECONDS = 30
_REQUEST_LOG = logging.getLogger("werkzeug")
MAX_DRAIN = 1024 * 1024


class KeepAliveRequestHandler(WSGIRequestHandler):
    timeout = IDLE_SECONDS  # socketserver sets it on the connection: an idle keep-alive read ends with it
    _body: LimitedStream | None = None
    _saved: tuple[Any, Any] | None = None

    def setup(self) -> None:
        super().setup()
        # werkzeug sends the headers and the body in two writes; on a kept connection Nagle's algorithm would
        # hold the body back until the client's delayed ACK (40 ms)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _open_connections(self.server).add(self.connection)

    def finish(self) -> None:
        _open_connections(self.server).discard(self.connection)
        super().finish()

    def make_environ(self) -> Any:
        environ = super().make_environ()
        self._body = None
        if not environ.get("wsgi.input_terminated"):  # a chunked body is werkzeug's to read; the connection closes
            declared = environ.get("CONTENT_LENGTH") or "0"
            self._body = LimitedStream(self.rfile, int(declared) if declared.isdigit() else 0)  # type: ignore[arg-type]
            environ["wsgi.input"] = self._body
        environ[_HANDLER] = self
        return environ

    def run_wsgi(self) -> None:
        try:
            super().run_wsgi()
        finally:
            if self._saved is not None:
                self.connection, self.rfile = self._saved
                self._saved = None

    def response_sent(self, failed: bool) -> None:
        """The application's response is written: finish reading this request's body, then hide the connection
        from werkzeug's clean-up, which reads whatever has arrived (the next request) and throws it away."""
        if self._saved is not None:
            return
        if failed:
            self.close_connection = True
        else:
            self._finish_body()
        if not self.close_connection:
            self._saved = (self.connection, self.rfile)
            self.connection, self.rfile = _ended_socket(), io.BytesIO()

    def _finish_body(self) -> None:
        """Read what the application left of the body, so the next request starts at its request line."""
        body = self._body
        if body is None or body.limit - body.tell() > MAX_DRAIN:
            self.close_connection = True
            return
        try:
            body.exhaust()
        except (OSError, ValueError):
            self.close_connection = True
        if not body.is_exhausted:  # the client stopped sending mid-body
            self.close_connection = True

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "connection" and value.lower() == "close" and self._may_keep_alive():
            return  # werkzeug always asks to close; HTTP/1.1 keeps the connection unless a side says otherwise
        super().send_header(keyword, value)

    def _may_keep_alive(self) -> bool:
        return not self.close_connection and self.request_version == "HTTP/1.1" and self._body is not None \
            and self._body.limit - self._body.tell() <= MAX_DRAIN

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if _REQUEST_LOG.isEnabledFor(logging.INFO):  # werkzeug formats the line before its logger drops it
            super().log_request(code, size)

    def log_error(self, format: str, *args: Any) -> None:  # http.server's signature
        if format.startswith("Request timed out"):
            return  # an idle keep-alive connection closing, not an error
        super().log_error(format, *args)


_HANDLER = "claimsctl.keep_alive.handler"


class _Finishing:
    """The application's response body; when it has been iterated to the end (or failed), tell the handler."""

    def __init__(self, inner: Iterable[bytes], handler: KeepAliveRequestHandler | None) -> None:
        self.inner = inner
        self.handler = handler

    def __iter__(self) -> Iterator[bytes]:
        failed = True
        try:
            yield from self.inner
            failed = False
        finally:
            if self.handler is not None:
                self.handler.response_sent(failed)

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if close is not None:
            close()


def wrap(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """The server's application, telling the keep-alive handler when each response is complete."""

    def keeping_alive(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        handler = environ.get(_HANDLER)
        try:
            return _Finishing(app(environ, start_response), handler)
        except BaseException:
            if handler is not None:
                handler.close_connection = True
            raise

    return keeping_alive


_ENDED: socket.socket | None = None


def _ended_socket() -> socket.socket:
    """A socket that always reads as closed by its peer: werkzeug's clean-up loop sees EOF at once."""
    global _ENDED
    if _ENDED is None:
        ours, theirs = socket.socketpair()
        theirs.close()
        _ENDED = ours
    return _ENDED


_LOCK = threading.Lock()


def _open_connections(server: Any) -> set[socket.socket]:
    with _LOCK:
        found: set[socket.socket] | None = getattr(server, "claimsctl_connections", None)
        if found is None:
            found = set()
            server.claimsctl_connections = found
        return found


def close_all(server: Any) -> None:
    """Close every open connection of a server that has stopped accepting (their threads then end)."""
    for connection in list(_open_connections(server)):
        try:
            connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
