"""A real server for the tests that need one: `python -m playground` in a subprocess on a
free 127.0.0.1 port, from the repository root, stopped by the test that started it (the
page tests, and the concurrency tests that need real threads and sockets)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m playground` in a subprocess, from the repository root."""

    def __init__(self, log: Path, args: list[str] | None = None) -> None:
        """`args`: more command-line arguments; by default the embedded store in a data
        directory of its own beside the log."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.args = args if args is not None else ["--data-dir", str(log.parent / f"data-{self.port}")]
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> None:
        """Start the server, or start it again after kill() (same port, same data directory,
        the log appended to)."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(self.log, "ab")  # noqa: SIM115 - closed in stop() or kill()
        # every page a test opens is a new session from 127.0.0.1, faster than a class
        # would open them: the per-address creation and upload limits are raised for the tests
        env = {**os.environ, "PLAYGROUND_SESSIONS_PER_MINUTE": "10000",
               "PLAYGROUND_UPLOADS_PER_MINUTE": "10000"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "playground", "--host", "127.0.0.1", "--port", str(self.port),
             *self.args],
            cwd=REPO, stdout=self._log_file, stderr=subprocess.STDOUT, env=env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}: "
                                   f"{self.log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=1).json()["status"] == "ok":
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not answer /api/health within {timeout} s")

    def kill(self) -> None:
        """kill -9: the server gets no chance to write or close anything."""
        self.proc.kill()
        self.proc.wait(timeout=10)
        self._log_file.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if getattr(self, "_log_file", None):
            self._log_file.close()
