"""Routes moto's Lambda Invoke (and the emulator's own invocations) to the Docker-free runtime."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from typing import Any

from moto.awslambda.models import LambdaBackend, LambdaFunction, lambda_backends

from claimsctl.local import clock, patches, state
from claimsctl.local.lambda_runtime.pool import FunctionSpec, Invocation, LambdaRuntime


class _Runtime:
    current: LambdaRuntime | None = None


_RUNTIME = state.Slot(_Runtime)
INVOCATIONS: state.Slot[Counter[str]] = state.Slot(Counter)  # by function name, for benchmarks
# (function ARN, day) -> its log stream, as one execution environment has
_STREAMS: state.Slot[dict[tuple[str, str], str]] = state.Slot(dict)


def set_runtime(runtime: LambdaRuntime | None) -> None:
    _RUNTIME.get().current = runtime


def runtime() -> LambdaRuntime:
    found = _RUNTIME.get().current
    if found is None:
        raise RuntimeError("The emulator's Lambda runtime is not started")
    return found


def _started() -> LambdaRuntime | None:
    """The runtime when an emulator runs and its runtime is up, else None."""
    return _RUNTIME.get().current if state.running() else None


def invocations() -> dict[str, int]:
    return dict(INVOCATIONS.get())


def find_function(account_id: str, arn: str, default_region: str) -> LambdaFunction | None:
    """The function an ARN (or a bare name, in default_region) names, or None."""
    region = arn.split(":")[3] if arn.count(":") >= 6 else default_region
    try:
        return lambda_backends[account_id][region].get_function(arn)
    except Exception:  # noqa: BLE001 - moto raises several kinds of not-found
        return None


def spec_for(function: LambdaFunction) -> FunctionSpec:
    version = str(function.version)
    return FunctionSpec(
        function_name=function.function_name,
        function_arn=function.function_arn,
        version="$LATEST" if version in ("1", "$LATEST") else version,
        handler=function.handler or "",
        runtime=function.run_time or "",
        timeout=float(function.timeout or 3),
        memory_size=int(function.memory_size or 128),
        region=function.region,
        code_sha256=function.code_digest,
        environment=tuple(sorted((function.environment_vars or {}).items())),
    )


def invoke_function(function: LambdaFunction, event: bytes, timeout: float | None = None) -> Invocation:
    """Invoke a function as Lambda would, and keep its log in CloudWatch Logs."""
    INVOCATIONS.get()[function.function_name] += 1
    invocation = runtime().invoke(spec_for(function), function.code_bytes, event, timeout, clock.offset())
    _store_logs(function, invocation)
    return invocation


_streams_lock = threading.Lock()


def _stream_for(function: LambdaFunction) -> tuple[str, bool]:
    """The function's log stream for today, and whether it is new (Lambda writes a stream per environment,
    not per invocation)."""
    key = (function.function_arn, time.strftime("%Y/%m/%d"))
    _streams = _STREAMS.get()
    with _streams_lock:
        if key in _streams:
            return _streams[key], False
        for stale in [k for k in _streams if k[0] == key[0]]:
            del _streams[stale]
        _streams[key] = f"{key[1]}/[$LATEST]{uuid.uuid4().hex}"
        return _streams[key], True


def _store_logs(function: LambdaFunction, invocation: Invocation) -> None:
    logs = function.logs_backend
    group = function.logs_group_name
    logs.ensure_log_group(group)
    stream, new = _stream_for(function)
    if new or stream not in logs.groups[group].streams:
        logs.create_log_stream(group, stream)
    now = int(time.time() * 1000)
    events = [{"timestamp": now, "message": line} for line in invocation.logs.splitlines() if line]
    if events:
        logs.put_log_events(group, stream, events)
        _keep_newest(logs.groups[group].streams[stream])


MAX_EVENTS_PER_STREAM = 10_000


def _keep_newest(stream: Any) -> None:
    """A stream keeps its newest 10,000 events (about 3,000 invocations): the emulator's memory stays flat
    under load. CloudWatch Logs keeps them all, subject to the group's retention."""
    excess = len(stream.events) - MAX_EVENTS_PER_STREAM
    if excess > 0:
        del stream.events[:excess]


def _invoke(self: LambdaFunction, body: str, request_headers: Any, response_headers: Any) -> bytes:
    event = (body or "{}").encode() if isinstance(body, str) else (body or b"{}")
    invocation_type = request_headers.get("x-amz-invocation-type", "RequestResponse")
    if invocation_type == "DryRun":
        return b""
    if invocation_type == "Event":
        threading.Thread(target=invoke_function, args=(self, event), daemon=True).start()
        return b""
    invocation = invoke_function(self, event)
    if invocation.function_error:
        response_headers["x-amz-function-error"] = invocation.function_error
    response_headers["x-amz-log-result"] = invocation.log_tail_b64
    response_headers["x-amz-executed-version"] = spec_for(self).version
    return invocation.payload


def prewarm(function: LambdaFunction) -> None:
    """Start the function's first worker ahead of its first invocation (a no-op when the runtime is not up)."""
    started = _started()
    if started is not None:
        started.prewarm(spec_for(function), function.code_bytes)


def _deleting(original: Any) -> Any:
    def delete_function(self: Any, function_name: str, qualifier: str | None = None) -> None:
        function = find_function(self.account_id, function_name, self.region_name)
        original(self, function_name, qualifier)
        started = _started()
        if function is not None and started is not None:
            started.retire(function.function_arn)

    return delete_function


PATCHES = (patches.replace(LambdaFunction, "invoke", _invoke),
           patches.wrap(LambdaBackend, "delete_function", _deleting))
