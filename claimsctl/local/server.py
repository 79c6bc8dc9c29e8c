"""The local AWS emulator: moto's server with claimsctl's extensions, served on loopback."""

from __future__ import annotations

import json
import logging
import shutil
import socket
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from moto.core.exceptions import JsonRESTError

from claimsctl.local import clock, dispatch, extensions, faults, guard, keep_alive, routes, state, testkit, urls
from claimsctl.local.apigateway import execute as execute_api
from claimsctl.local.cloudfront import viewer as cloudfront_viewer
from claimsctl.local.cognito import pools
from claimsctl.local.cognito.minting import public_jwks
from claimsctl.local.hosted_ui import routes as hosted_ui
from claimsctl.local.lambda_runtime import service
from claimsctl.local.s3 import owner as s3_owner

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4566

StartResponse = Callable[..., Any]
_NOT_FOUND = routes.path(r"(?s).*")


class EmulatorApp:
    """WSGI front: the route table's handler for the request; what no route claims goes to moto."""

    def __init__(self, moto_app: Callable[..., Iterable[bytes]]) -> None:
        self.moto_app = moto_app
        self.table = route_table(self._to_moto)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        route = environ.get("claimsctl.route") or self.table.find(environ)
        assert route.handler is not None
        return route.handler(environ, start_response)

    def _to_moto(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target:
            REQUESTS_BY_TARGET.get()[target] += 1
            if faults.throttled(target):
                status, headers, body = faults.throttle_response()
                start_response(status, headers)
                return [body]
        denied = s3_owner.refused(environ, start_response)
        if denied is not None:
            return denied
        moto_dispatch = dispatch.direct(environ)
        if moto_dispatch is not None:
            answer: Iterable[bytes] = dispatch.answer_directly(moto_dispatch, environ, guard.without_cors(start_response))
            return answer
        return self.moto_app(environ, guard.without_cors(start_response))


def route_table(to_moto: routes.Handler) -> routes.RouteTable:
    """Every route the emulator serves, first match wins (routes.py says what each field means)."""
    own, hosted, page_methods = 64 * 1024, routes.MB, frozenset({"GET", "POST", "OPTIONS"})
    cors = frozenset({"POST", "OPTIONS"})
    pool = r"/[\w-]+_[0-9A-Za-z]+/\.well-known"
    return routes.RouteTable(routes=(
        routes.Route("cloudfront-viewer", cloudfront_viewer.handle, 10 * routes.MB,
                     host=lambda host: urls.viewer_label(host) is not None, browser=routes.ANY),
        routes.Route("health", _health, own, routes.path("/_claimsctl/health"), control=True),
        routes.Route("stats", _stats_route, own, routes.path("/_claimsctl/stats"), methods=frozenset({"GET"}),
                     control=True),
        routes.Route("faults", _faults, own, routes.path("/_claimsctl/faults"), methods=frozenset({"POST"}),
                     control=True),
        routes.Route("reset", _reset, own, routes.path("/_claimsctl/reset"), methods=frozenset({"POST"}),
                     control=True),
        routes.Route("clock", _clock, own, routes.path("/_claimsctl/clock"), methods=frozenset({"GET", "POST"}),
                     control=True),
        routes.Route("snapshot", _testkit(lambda document: testkit.take()), own, routes.path("/_claimsctl/snapshot"),
                     methods=frozenset({"POST"}), control=True),
        routes.Route("restore", _testkit(lambda document: testkit.restore()), own, routes.path("/_claimsctl/restore"),
                     methods=frozenset({"POST"}), control=True),
        # a user's row may be as large as DynamoDB's 400 KB item (thousands of projects: issue 30)
        routes.Route("users", _testkit(lambda document: testkit.make_user(testkit.NewUser.parse(document))), routes.MB,
                     routes.path("/_claimsctl/users"), methods=frozenset({"POST"}), control=True),
        routes.Route("claimsctl-unknown", _not_found, own, routes.path(r"(?s)/_claimsctl/.*"), control=True),
        routes.Route("moto-api", _moto_api_refused, own, routes.path(r"(?s)/moto-api(/.*)?"), control=True),
        routes.Route("oauth2-token-revoke", hosted_ui.handle, hosted,
                     routes.path(r"/hosted-ui/[a-z0-9-]+/oauth2/(token|revoke)"), methods=cors, browser=cors),
        routes.Route("oauth2-userinfo", hosted_ui.handle, hosted, routes.path(r"/hosted-ui/[a-z0-9-]+/oauth2/userInfo"),
                     methods=page_methods, browser=page_methods),
        routes.Route("hosted-ui", hosted_ui.handle, hosted, routes.path(r"(?s)/hosted-ui/.*"), methods=page_methods,
                     browser=frozenset({"GET"})),  # navigations; its forms post from its own pages only
        routes.Route("openid-configuration", hosted_ui.handle, own, routes.path(pool + "/openid-configuration"),
                     methods=frozenset({"GET", "OPTIONS"}), browser=frozenset({"GET", "OPTIONS"})),
        routes.Route("jwks", _jwks, own, routes.path(pool + r"/jwks\.json"), methods=frozenset({"GET"}),
                     browser=frozenset({"GET"})),
        routes.Route("well-known-unknown", _not_found, own, routes.path(r"(?s)/[^/]*/\.well-known/.*")),
        routes.Route("execute-api", execute_api.handle, 10 * routes.MB, routes.path(r"(?s)/execute-api/.*"),
                     browser=routes.ANY),
    ), fallback=routes.Route("aws-apis", to_moto, 100 * routes.MB, _NOT_FOUND))


def _health(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    return _json(start_response, 200, {"status": "ok", "service": "claimsctl-emulator"})


def _stats_route(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    return _json(start_response, 200, _stats())


def _faults(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    try:
        document = json.loads(environ["wsgi.input"].read(length) or b"{}")
        return _json(start_response, 200, faults.configure(document if isinstance(document, dict) else {}))
    except ValueError as exc:
        return _json(start_response, 400, {"message": str(exc)})


def _reset(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    emulator = _running
    if emulator is None:
        return _json(start_response, 404, {"message": "No emulator runs in this process."})
    emulator.reset()
    return _json(start_response, 200, {"reset": True})


def _clock(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """GET: the clock's offset; POST {"advance": seconds}: move it forward."""
    try:
        if environ.get("REQUEST_METHOD") == "POST":
            document = testkit.read_json(environ)
            clock.advance(document.get("advance") if isinstance(document, dict) else None)
    except ValueError as exc:
        return _json(start_response, 400, {"message": str(exc)})
    return _json(start_response, 200, {"offset_seconds": clock.offset(), "now": clock.now()})


def _testkit(action: Callable[[Any], dict[str, Any]]) -> routes.Handler:
    """A test-kit route: the JSON body in, `action`'s answer out; 400 naming what is wrong."""

    def handle(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            return _json(start_response, 200, action(testkit.read_json(environ)))
        except ValueError as exc:
            return _json(start_response, 400, {"message": str(exc)})
        except JsonRESTError as exc:
            return _json(start_response, 400, {"message": exc.message, "code": exc.error_type})

    return handle


def _moto_api_refused(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    guard.REFUSED.get()["moto-api 403"] += 1
    return guard.refuse(start_response, 403, "AccessDeniedException",
                        "moto's /moto-api routes are not served by claimsctl's emulator (its recorder would write "
                        "request secrets to disk). To start again from nothing, POST /_claimsctl/reset.")


def _not_found(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    return _json(start_response, 404, {"message": f"Nothing is served at {environ.get('PATH_INFO', '')[:200]!r}."})


def _jwks(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    pool_id = environ.get("PATH_INFO", "").split("/")[1]
    pool = pools.by_id(pool_id)
    if pool is None:
        return _json(start_response, 404, {"message": f"User pool {pool_id} does not exist."})
    body = public_jwks(pool)
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                              ("Access-Control-Allow-Origin", "*")])
    return [body]


# AWS JSON-protocol calls, e.g. DynamoDB_20120810.GetItem
REQUESTS_BY_TARGET: state.Slot[Counter[str]] = state.Slot(Counter)


def _stats() -> dict[str, Any]:
    """What the emulator has served: calls by X-Amz-Target, Lambda invocations, API Gateway counters."""
    return {"requests_by_target": dict(REQUESTS_BY_TARGET.get()), "lambda_invocations": service.invocations(),
            "api": execute_api.stats(), "throttled": faults.injected(), "refused": dict(guard.REFUSED.get())}


def _json(start_response: StartResponse, status: int, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}.get(status, "")
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _unset_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    raise RuntimeError("the emulator's app is set before it serves")


def _check_port_free(host: str, port: int) -> None:
    """Raise OSError now, rather than let werkzeug print and exit, when the port is taken or the address is not
    this machine's (port 0 probes the address alone)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def _forget_everything() -> None:
    """Drop this run's state and moto's backends (process-wide in moto), as a new process would start."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()
    state.end()


class EmulatorAlreadyRunning(RuntimeError):
    """A second emulator in one process would share the first one's state (moto's backends are process-wide)."""


_running: Emulator | None = None
_running_lock = threading.Lock()


class Emulator:
    """Start and stop the emulator in this process (a thread serves requests). One per process: moto keeps
    its backends (pools, tables, functions) in process-wide globals, so a second instance would silently
    share them; it is refused instead."""

    def __init__(self, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, work_dir: Path | None = None) -> None:
        self.host = host
        self.port = port
        self.work_dir = work_dir
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._made_work_dir: Path | None = None
        self._work_dir: Path = Path(".")

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        global _running
        with _running_lock:
            if _running is not None:
                raise EmulatorAlreadyRunning(
                    f"An emulator is already running in this process ({_running.endpoint_url}); moto's state is "
                    "process-wide, so a second one would share it. Stop the first, or run `claimsctl local start` "
                    "in another process.")
            _running = self
        try:
            return self._start()
        except BaseException:
            state.end()
            with _running_lock:
                _running = None
            raise

    def _start(self) -> str:
        from moto.moto_server import werkzeug_app
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        _check_port_free(self.host, self.port)
        self._server = make_server(self.host, self.port, _unset_app, threaded=True,
                                   request_handler=keep_alive.KeepAliveRequestHandler)
        self.port = self._server.server_address[1]
        work_dir = self.work_dir
        if work_dir is None:
            work_dir = self._made_work_dir = Path(tempfile.mkdtemp(prefix="claimsctl-emulator-"))
        self._work_dir = work_dir
        state.begin(self.endpoint_url)
        extensions.install(self.endpoint_url, work_dir)
        app = EmulatorApp(werkzeug_app.DomainDispatcherApplication(werkzeug_app.create_backend_app))
        self._server.app = keep_alive.wrap(guard.FrontDoor.for_server(self.host, self.port, app.table).wrap(app))
        self._thread = threading.Thread(target=self._server.serve_forever, name="claimsctl-emulator", daemon=True)
        self._thread.start()
        return self.endpoint_url

    def stop(self) -> None:
        global _running
        with _running_lock:
            if _running is not self:  # never started, or refused: the running emulator is not ours to stop
                return
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            keep_alive.close_all(self._server)
        if self._thread is not None:
            self._thread.join(timeout=10)
        extensions.shutdown()
        _forget_everything()
        if self._made_work_dir is not None:  # unpacked function code and worker logs: ours to remove
            shutil.rmtree(self._made_work_dir, ignore_errors=True)
        with _running_lock:
            _running = None

    def reset(self) -> None:
        """Start again from nothing without stopping the server: moto's backends and this run's state are dropped,
        and the Lambda runtime begins anew (its workers are stopped). For a test between two others, not while
        requests are in flight."""
        extensions.shutdown()
        _forget_everything()
        state.begin(self.endpoint_url)
        extensions.install(self.endpoint_url, self._work_dir)

    def serve_until(self, stop: threading.Event) -> None:
        """Block until `stop` is set (the CLI sets it on SIGINT/SIGTERM), then stop cleanly."""
        stop.wait()
        self.stop()

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
