"""Helpers for the real-browser page tests (tests/page/): start the real server, find
Chromium, collect what the page logs, read numbers off the page."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path("/tmp/page-shots")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def browser_missing() -> str | None:
    """Why the page tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"Playwright for Python is not installed ({exc})"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium is not installed at {CHROMIUM}"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m playground` in a subprocess, from the repository root."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "playground", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=REPO, stdout=self._log_file, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}: "
                                   f"{self.log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=1).json() == {"status": "ok"}:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not answer /api/health within {timeout} s")

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


@dataclass
class PageLog:
    """Console errors and uncaught page errors of one page; `allow` holds patterns of
    errors a test provokes on purpose (e.g. the browser logging a refused request)."""

    errors: list[str] = field(default_factory=list)
    allow: list[re.Pattern] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(
            f"console: {msg.text} @ {msg.location.get('url', '')}"))
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def expect(self, pattern: str) -> None:
        self.allow.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [e for e in self.errors
                if "favicon" not in e and not any(p.search(e) for p in self.allow)]


def save_shot(page, tmp_path: Path, name: str) -> Path:
    """A full-page screenshot under the test's tmp_path, copied to /tmp/page-shots/."""
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / name)
    return path
