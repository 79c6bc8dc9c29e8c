"""The emulator of a test session: `claimsctl local start` in a process of its own, on a loopback port.

A process of its own, so the test process never imports or patches moto (a suite's own `mock_aws` tests
see moto as it is), and each pytest-xdist worker, being a process, starts its own.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time

START_TIMEOUT_SECONDS = 60.0


def _free_port() -> int:
    """A port free now on loopback (the emulator binds it a moment later; if another process took it meanwhile,
    the emulator says so and the fixture's error names it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class EmulatorFailed(RuntimeError):
    """The emulator did not start; the message is its own last line."""


class EmulatorProcess:
    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.url = ""
        self._process: subprocess.Popen[str] | None = None

    def launch(self) -> str:
        """Start the emulator's process; its URL-to-be (port 0: a free port chosen now). `wait_ready` waits."""
        port = self.port or _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "claimsctl", "local", "start", "--port", str(port)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    def wait_ready(self) -> str:
        """The endpoint URL once the emulator answers; EmulatorFailed with its error line otherwise."""
        self.url = self._first_line()
        return self.url

    def start(self) -> str:
        self.launch()
        return self.wait_ready()

    def _first_line(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self._process.stdout], [], [], 0.5)
            if ready:
                line = self._process.stdout.readline().strip()
                if line.startswith("http://"):
                    return line
            if self._process.poll() is not None:
                raise EmulatorFailed(self._error_line())
        self.stop()
        raise EmulatorFailed(f"the emulator did not start within {START_TIMEOUT_SECONDS:.0f} s")

    def _error_line(self) -> str:
        assert self._process is not None and self._process.stderr is not None
        lines = [line.strip() for line in self._process.stderr.read().splitlines() if line.strip()]
        return lines[-1].removeprefix("Error: ") if lines else f"it exited with code {self._process.returncode}"

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
