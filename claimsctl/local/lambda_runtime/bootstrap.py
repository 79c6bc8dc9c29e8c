"""A warm Lambda worker: loads one handler once, then serves invocations read from stdin.

Runs as its own interpreter (`python -I bootstrap.py`), never imports claimsctl,
and speaks one JSON object per line: requests on stdin, responses on the file
descriptor named by _CLAIMSCTL_RESPONSE_FD. Everything the handler prints goes
to fds 1 and 2, which the parent points at the invocation's log file.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any, TextIO

Handler = Callable[[Any, Any], Any]
_WALL_CLOCK = time.time
_CLOCK_OFFSET = [0.0]  # the emulator's clock offset, sent with each invocation


def _emulator_time() -> float:
    return _WALL_CLOCK() + _CLOCK_OFFSET[0]


time.time = _emulator_time  # the handler's notion of now is the emulator's (a test may have moved it forward)


class LambdaContext:
    """The subset of the Lambda context object that handlers use."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = request.get("invoked_function_arn", "")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.aws_request_id = request["request_id"]
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self._deadline_ms = int(request["deadline_ms"])
        self.identity = None
        self.client_context = None

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(_WALL_CLOCK() * 1000))


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.request_id
        return True


def _configure_logging() -> _RequestIdFilter:
    """Log like the Lambda Python runtime: one tab-separated line per record."""
    request_filter = _RequestIdFilter()
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
                          "%Y-%m-%dT%H:%M:%S")
    )
    handler.addFilter(request_filter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.WARNING)
    return request_filter


def _error(exc: BaseException, error_type: str | None = None) -> dict[str, Any]:
    frames = traceback.extract_tb(exc.__traceback__)
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": traceback.format_list(frames),
    }


def _load_handler(spec: str) -> Handler:
    module_path, _, function_name = spec.rpartition(".")
    if not module_path or not function_name:
        raise ValueError(f"Bad handler '{spec}': expected module.function")
    module = importlib.import_module(module_path.replace("/", "."))
    handler = getattr(module, function_name, None)
    if not callable(handler):
        raise AttributeError(f"Handler '{function_name}' missing on module '{module_path}'")
    return handler  # type: ignore[no-any-return]


def _invoke(handler: Handler, request: dict[str, Any]) -> dict[str, Any]:
    _CLOCK_OFFSET[0] = float(request.get("clock_offset") or 0.0)
    try:
        result = handler(json.loads(request["event"]), LambdaContext(request))
    except Exception as exc:  # noqa: BLE001 - any handler error is reported like Lambda does
        traceback.print_exc()
        sys.stdout.flush()
        return {"error": _error(exc)}
    try:
        return {"payload": json.dumps(result)}
    except (TypeError, ValueError) as exc:
        return {"error": _error(exc, "Runtime.MarshalError")}


def _serve(handler: Handler | None, init_error: dict[str, Any] | None, responses: TextIO) -> None:
    request_filter = _configure_logging()
    for line in sys.stdin:
        request = json.loads(line)
        request_filter.request_id = request["request_id"]
        response = {"error": init_error} if handler is None else _invoke(handler, request)
        sys.stdout.flush()
        sys.stderr.flush()
        responses.write(json.dumps(response) + "\n")
        responses.flush()


def main() -> None:
    responses = os.fdopen(int(os.environ.pop("_CLAIMSCTL_RESPONSE_FD")), "w")
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    os.chdir(os.environ["LAMBDA_TASK_ROOT"])
    handler: Handler | None = None
    init_error: dict[str, Any] | None = None
    try:
        handler = _load_handler(os.environ["_HANDLER"])
    except Exception as exc:  # noqa: BLE001 - reported on every invocation, as Lambda does
        error_type = "Runtime.ImportModuleError" if isinstance(exc, ImportError) else "Runtime.HandlerNotFound"
        init_error = _error(exc, error_type)
        traceback.print_exc()
    sys.stdout.flush()
    responses.write(json.dumps({"ready": True}) + "\n")  # the init phase is over; invocations may start
    responses.flush()
    _serve(handler, init_error, responses)


if __name__ == "__main__":
    main()
