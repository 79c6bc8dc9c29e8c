"""Docker-free Lambda: Python functions run in warm worker processes of the host interpreter.

One worker is one "container": it imports the handler once and serves
invocations until its function's code or configuration changes, it times out,
or the emulator stops. Concurrent invocations of one function get more workers,
up to a bound, as Lambda scales out containers.

As on Lambda, a worker's init phase (starting the interpreter and importing
the handler) has its own limit (10 s) and is not charged to the function's
timeout. Unlike Lambda, which scales out (or throttles), the pool never runs
more workers per function than the machine has cores: a burst queues briefly
for a warm worker instead of starting more processes than can run, which on a
small machine would make every cold start slower than the caller's timeout.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
LOG_KEEP_BYTES = 256 * 1024  # what is kept of one invocation's output (CloudWatch's event cap)
LOG_TAIL_BYTES = 4 * 1024  # what LogType=Tail returns, as Lambda does
MAX_WORKERS_PER_FUNCTION = max(2, min(16, os.cpu_count() or 2))
INIT_TIMEOUT_SECONDS = 10.0  # Lambda's init phase limit
RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024


@dataclass(frozen=True)
class FunctionSpec:
    """Everything about a function version that decides how its worker is started."""

    function_name: str
    function_arn: str
    version: str
    handler: str
    runtime: str
    timeout: float
    memory_size: int
    region: str
    code_sha256: str
    environment: tuple[tuple[str, str], ...] = ()

    @functools.cached_property
    def fingerprint(self) -> str:  # looked up several times per invocation: hashed once per spec
        return hashlib.sha256(repr(self).encode()).hexdigest()[:16]


@dataclass
class Invocation:
    """The outcome of one invocation, shaped like Lambda's Invoke response."""

    payload: bytes
    function_error: str | None
    logs: str
    duration_ms: float
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def log_tail_b64(self) -> str:
        tail = self.logs.encode()[-LOG_TAIL_BYTES:]
        return base64.b64encode(tail).decode()

    def error(self) -> dict[str, Any] | None:
        """The error object when the function failed, else None."""
        if not self.function_error:
            return None
        try:
            parsed = json.loads(self.payload)
        except ValueError:
            return {"errorMessage": self.payload.decode(errors="replace"), "errorType": "Unknown"}
        return parsed if isinstance(parsed, dict) else {"errorMessage": str(parsed)}


def _error_payload(message: str, error_type: str) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()


class WorkerTimeout(Exception):
    """The worker did not answer before the deadline."""


class WorkerDied(Exception):
    """The worker exited while handling an invocation."""


class Worker:
    """One warm interpreter running one function version's handler."""

    def __init__(self, spec: FunctionSpec, code_dir: Path, env: dict[str, str], log_dir: Path) -> None:
        self.spec = spec
        fd, name = tempfile.mkstemp(prefix=f"{spec.function_name}-", suffix=".log", dir=log_dir)
        os.close(fd)
        self.log_path = Path(name)
        self._log = open(self.log_path, "ab")  # O_APPEND: truncating between calls stays safe
        read_fd, write_fd = os.pipe()
        env = {**env, "_CLAIMSCTL_RESPONSE_FD": str(write_fd)}
        self.proc = subprocess.Popen(
            [sys.executable, "-I", str(BOOTSTRAP)],
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=code_dir,
            pass_fds=(write_fd,),
        )
        os.close(write_fd)
        self._responses = read_fd
        self._buffer = b""
        self.ready = False

    def wait_ready(self, timeout: float) -> None:
        """Wait for the end of the init phase (the handler imported, or its import failed)."""
        self._read_line(time.monotonic() + timeout)

    def invoke(self, event: bytes, request_id: str, timeout: float, clock_offset: float = 0.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        request = {
            "event": event.decode(),
            "request_id": request_id,
            "deadline_ms": int((time.time() + timeout) * 1000),
            "invoked_function_arn": self.spec.function_arn,
            "clock_offset": clock_offset,  # the emulator's clock (clock.py): the worker's time.time() adds it
        }
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError as exc:
            raise WorkerDied("worker exited before the invocation") from exc
        return json.loads(self._read_line(deadline))  # type: ignore[no-any-return]

    def _read_line(self, deadline: float) -> bytes:
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WorkerTimeout()
            ready, _, _ = select.select([self._responses], [], [], remaining)
            if not ready:
                raise WorkerTimeout()
            chunk = os.read(self._responses, 65536)
            if not chunk:
                raise WorkerDied("worker exited during the invocation")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def take_logs(self) -> str:
        """Return what the worker printed since the last call (its tail if huge) and clear it."""
        self._log.flush()
        size = self.log_path.stat().st_size
        with open(self.log_path, "rb") as handle:
            handle.seek(max(0, size - LOG_KEEP_BYTES))
            data = handle.read()
        os.truncate(self.log_path, 0)
        return data.decode(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self.proc.stdin:
            self.proc.stdin.close()
        os.close(self._responses)
        self._log.close()
        self.log_path.unlink(missing_ok=True)


class LambdaRuntime:
    """Runs invocations on warm workers, keyed by function version and configuration."""

    def __init__(self, endpoint_url: str, work_dir: Path | None = None) -> None:
        self.endpoint_url = endpoint_url
        self._work_dir = Path(work_dir or tempfile.mkdtemp(prefix="claimsctl-lambda-"))
        self._idle: dict[str, list[Worker]] = {}
        self._busy: dict[str, int] = {}
        self._current: dict[str, str] = {}  # function ARN -> fingerprint in service
        self._warming: set[str] = set()
        self._lock = threading.Condition()

    # -- public ---------------------------------------------------------------

    def invoke(self, spec: FunctionSpec, code_zip: bytes, event: bytes, timeout: float | None = None,
               clock_offset: float = 0.0) -> Invocation:
        """Invoke the function; timeout defaults to the function's own."""
        if not spec.runtime.startswith("python"):
            message = f"The local emulator runs Python functions only; {spec.function_name} uses {spec.runtime}."
            return Invocation(_error_payload(message, "Runtime.InvalidRuntime"), "Unhandled", "", 0.0)
        limit = spec.timeout if timeout is None else min(timeout, spec.timeout)
        worker = self._acquire(spec, code_zip)
        request_id = str(uuid.uuid4())
        keep = True
        try:
            if not worker.ready:
                worker.wait_ready(INIT_TIMEOUT_SECONDS)
                worker.ready = True
        except (WorkerTimeout, WorkerDied) as exc:
            self._release(worker, keep=False)
            reason = "timed out" if isinstance(exc, WorkerTimeout) else "exited"
            message = f"RequestId: {request_id} Error: Runtime init {reason} (limit {INIT_TIMEOUT_SECONDS:.0f} s)"
            return self._shape({"error": {"errorMessage": message, "errorType": "Runtime.InitError"}},
                               "", 0.0, request_id)
        started = time.monotonic()
        try:
            response = worker.invoke(event, request_id, limit, clock_offset)
        except WorkerTimeout:
            keep = False
            message = f"RequestId: {request_id} Error: Task timed out after {limit:.2f} seconds"
            response = {"error": {"errorMessage": message, "errorType": "Sandbox.Timedout"}}
        except WorkerDied:
            keep = False
            message = f"RequestId: {request_id} Error: Runtime exited without providing a reason"
            response = {"error": {"errorMessage": message, "errorType": "Runtime.ExitError"}}
        duration_ms = (time.monotonic() - started) * 1000
        logs = self._frame_logs(request_id, worker, duration_ms)
        self._release(worker, keep)
        return self._shape(response, logs, duration_ms, request_id)

    def prewarm(self, spec: FunctionSpec, code_zip: bytes) -> None:
        """Start one worker for this function version now, in the background, if it has none: the first
        invocation then finds it warm (as Lambda's provisioned concurrency would)."""
        if not spec.runtime.startswith("python"):
            return
        key = spec.fingerprint
        with self._lock:
            if self._idle.get(key) or self._busy.get(key) or key in self._warming:
                return
            self._warming.add(key)

        def warm() -> None:
            worker = None
            try:
                with self._lock:
                    previous = self._current.get(spec.function_arn)
                    retired = self._idle.pop(previous, []) if previous and previous != key else []
                    self._current[spec.function_arn] = key
                for old in retired:
                    old.stop()
                worker = self._start_worker(spec, code_zip)
                worker.wait_ready(INIT_TIMEOUT_SECONDS)
                worker.ready = True
                with self._lock:
                    if self._current.get(spec.function_arn) == key:
                        self._idle.setdefault(key, []).append(worker)
                        worker = None
                        self._lock.notify()
            except (WorkerTimeout, WorkerDied, OSError):
                pass
            finally:
                with self._lock:
                    self._warming.discard(key)
                if worker is not None:
                    worker.stop()

        threading.Thread(target=warm, name=f"prewarm-{spec.function_name}", daemon=True).start()

    def retire(self, function_arn: str) -> None:
        """Stop the idle workers of a deleted function (busy ones stop when they finish)."""
        with self._lock:
            key = self._current.pop(function_arn, None)
            workers = self._idle.pop(key, []) if key else []
        for worker in workers:
            worker.stop()

    def shutdown(self) -> None:
        with self._lock:
            workers = [w for ws in self._idle.values() for w in ws]
            self._idle.clear()
        for worker in workers:
            worker.stop()

    # -- internals ------------------------------------------------------------

    def _shape(self, response: dict[str, Any], logs: str, duration_ms: float, request_id: str) -> Invocation:
        if "error" in response:
            error = {**response["error"], "requestId": request_id}
            if not error.get("stackTrace"):
                error.pop("stackTrace", None)
            return Invocation(json.dumps(error).encode(), "Unhandled", logs, duration_ms, request_id)
        payload = response["payload"].encode()
        if len(payload) > RESPONSE_LIMIT_BYTES:
            message = (f"Response payload size ({len(payload)} bytes) exceeded maximum allowed payload size "
                       f"({RESPONSE_LIMIT_BYTES} bytes).")
            too_large = _error_payload(message, "Function.ResponseSizeTooLarge")
            return Invocation(too_large, "Unhandled", logs, duration_ms, request_id)
        return Invocation(payload, None, logs, duration_ms, request_id)

    @staticmethod
    def _frame_logs(request_id: str, worker: Worker, duration_ms: float) -> str:
        body = worker.take_logs()
        version = worker.spec.version
        return (
            f"START RequestId: {request_id} Version: {version}\n{body}"
            f"END RequestId: {request_id}\n"
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Memory Size: {worker.spec.memory_size} MB\n"
        )

    def _acquire(self, spec: FunctionSpec, code_zip: bytes) -> Worker:
        key = spec.fingerprint
        retired: list[Worker] = []
        with self._lock:
            previous = self._current.get(spec.function_arn)
            if previous and previous != key:
                retired = self._idle.pop(previous, [])
            self._current[spec.function_arn] = key
            while not self._idle.get(key) and self._busy.get(key, 0) >= MAX_WORKERS_PER_FUNCTION:
                self._lock.wait(timeout=spec.timeout)
            idle = self._idle.get(key)
            worker = idle.pop() if idle else None
            self._busy[key] = self._busy.get(key, 0) + 1
        for old in retired:
            old.stop()
        return worker or self._start_worker(spec, code_zip)

    def _release(self, worker: Worker, keep: bool) -> None:
        key = worker.spec.fingerprint
        with self._lock:
            self._busy[key] -= 1
            current = self._current.get(worker.spec.function_arn) == key
            if keep and current and worker.proc.poll() is None:
                self._idle.setdefault(key, []).append(worker)
                worker = None  # type: ignore[assignment]
            self._lock.notify()
        if worker is not None:
            worker.stop()

    def _start_worker(self, spec: FunctionSpec, code_zip: bytes) -> Worker:
        code_dir = self._unpack(spec.code_sha256, code_zip)
        log_dir = self._work_dir / "logs"
        log_dir.mkdir(exist_ok=True)
        return Worker(spec, code_dir, self._environment(spec, code_dir), log_dir)

    def _unpack(self, code_sha256: str, code_zip: bytes) -> Path:
        target = self._work_dir / "code" / code_sha256
        if not target.exists():
            staging = Path(tempfile.mkdtemp(dir=self._work_dir))
            with zipfile.ZipFile(io.BytesIO(code_zip)) as archive:
                archive.extractall(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                staging.rename(target)
            except OSError:  # another thread unpacked the same code first
                pass
        return target

    def _environment(self, spec: FunctionSpec, code_dir: Path) -> dict[str, str]:
        reserved = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "LAMBDA_TASK_ROOT": str(code_dir),
            "_HANDLER": spec.handler,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_REGION": spec.region,
            "AWS_DEFAULT_REGION": spec.region,
            "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.function_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"{time.strftime('%Y/%m/%d')}/[{spec.version}]{uuid.uuid4().hex}",
            "AWS_ACCESS_KEY_ID": "ASIAEMULATOREXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "emulator-secret-not-a-real-key",
            "AWS_SESSION_TOKEN": "emulator-session-token",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_ENDPOINT_URL": self.endpoint_url,
        }
        return {**dict(spec.environment), **reserved}
