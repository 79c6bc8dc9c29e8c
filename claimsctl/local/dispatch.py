"""moto's per-request work whose answer never changes while the emulator runs, done once.

Found by profiling the sign-in path under load (py-spy --gil, 16 clients): the emulator is one process
and its GIL is the bottleneck, so CPU that moto spends re-deriving constants is throughput lost.

- The backend for a Host: moto's dispatcher lists its package folders (a listdir and a stat per service)
  and tries every URL pattern on each request, under one lock.
- The action methods of a response class: moto calls inspect.getmembers on the class for every request.
- Flask's debug mode, which moto turns on: every request body read builds a new class (a debugging aid
  for form uploads) and exceptions skip Flask's 500 handler. The emulator answers a 500 either way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


def _remembering_backends(original: Callable[..., Any]) -> Callable[..., Any]:
    found: dict[str, Any] = {}

    def get_backend_for_host(self: Any, host: str | None) -> Any:
        if host is None:
            return None
        if host not in found:
            backend = original(self, host)
            if backend is None:
                return None
            found[host] = backend
        return found[host]

    return get_backend_for_host


def _without_debug(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def create_backend_app(service: Any) -> Any:
        app = original(service)
        app.debug = False
        return app

    return create_backend_app


def install() -> None:
    """Once per process, after every extension has added its methods to moto's response classes."""
    from moto.core import responses
    from moto.core.utils import method_names_from_class
    from moto.moto_server import werkzeug_app

    dispatcher = werkzeug_app.DomainDispatcherApplication
    dispatcher.get_backend_for_host = _remembering_backends(dispatcher.get_backend_for_host)  # type: ignore[method-assign]
    werkzeug_app.create_backend_app = _without_debug(werkzeug_app.create_backend_app)
    responses.method_names_from_class = functools.cache(method_names_from_class)  # type: ignore[attr-defined]
