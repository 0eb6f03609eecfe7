"""Helpers for the real-browser page tests (tests/page/): start the real server, find
Chromium, collect what the page logs, read numbers off the page."""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import httpx
import pytest

from ..server_support import Server, free_port  # noqa: F401 - the page tests' server

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path("/tmp/page-shots")
VIEWPORT = {"width": 1280, "height": 720}
CHINESE = re.compile(r"[\u4e00-\u9fff]")

try:
    from playwright.sync_api import expect
    expect.set_options(timeout=10_000)
except ImportError:  # reported by the fixtures (skip, or fail on CI)
    expect = None
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


def unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"page tests cannot run on CI: {reason}", pytrace=False)
    pytest.skip(f"page tests skipped: {reason}")


class Playground:
    """One browser page of the playground plus the API that referees it."""

    def __init__(self, page, api: httpx.Client):
        self.page = page
        self.api = api
        self.log = PageLog()
        self.log.watch(page)

    # -------------------------------------------------------------- page
    def open(self, query: str = "lang=en") -> Playground:
        self.page.goto(f"/?{query}")
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        self.page.wait_for_function(
            "() => window.playground && window.playground.sessionId && window.playground.snapshot")
        expect(self.page.get_by_test_id("test-loss")).to_have_text(NUMBER)
        expect(self.page.locator('[data-node="0:0"]')).to_be_visible()

    def button(self, name: str):
        return self.page.get_by_role("button", name=name, exact=True)

    def control(self, label: str):
        return self.page.get_by_label(label, exact=True)

    def readout(self, testid: str) -> str:
        return self.page.get_by_test_id(testid).inner_text().strip()

    def epoch(self) -> int:
        return int(self.readout("epoch"))

    def dom_nodes(self) -> list[str]:
        return sorted(self.page.eval_on_selector_all(
            "[data-node]", "els => els.map(e => e.dataset.node)"))

    def dom_edges(self) -> dict[str, str]:
        return dict(self.page.eval_on_selector_all(
            "[data-weight]", "els => els.map(e => [e.dataset.weight, e.getAttribute('data-value')])"))

    # -------------------------------------------------------------- API
    @property
    def session_id(self) -> str:
        return self.page.evaluate("window.playground.sessionId")

    def snapshot(self) -> dict:
        r = self.api.get(f"/api/sessions/{self.session_id}")
        assert r.status_code == 200, r.text
        return r.json()

    # -------------------------------------------------------------- checks
    def assert_matches_api(self, snap: dict | None = None) -> dict:
        """Nodes and edges on the page are the API's layers and weights, value for value."""
        snap = snap or self.snapshot()
        units = [layer["units"] for layer in snap["layers"]]
        assert self.dom_nodes() == sorted(f"{l}:{j}" for l, n in enumerate(units) for j in range(n))
        edges = self.dom_edges()
        expected = {f"{l}:{i}:{j}": w for l, m in enumerate(snap["weights"])
                    for i, row in enumerate(m) for j, w in enumerate(row)}
        assert set(edges) == set(expected)
        for key, w in expected.items():
            assert float(edges[key]) == w, f"edge {key}: page {edges[key]}, API {w}"
        return snap

    def settle(self, timeout: float = 5.0) -> int:
        """After a pause: the epoch read-out agrees with the server's and stays put."""
        deadline = time.monotonic() + timeout
        while True:
            shown, server_epoch = self.epoch(), self.snapshot()["epoch"]
            if shown == server_epoch:
                self.page.wait_for_timeout(150)
                if self.epoch() == shown == self.snapshot()["epoch"]:
                    return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"the page shows epoch {shown} but the server is at "
                                     f"epoch {server_epoch} after the page stopped training")
            self.page.wait_for_timeout(100)

    def assert_clean(self) -> None:
        assert self.log.unexpected() == [], "the page logged errors"


def wait_until(page, predicate, timeout: float = 10.0, message: str = "condition"):
    """Poll `predicate`; waiting through the page lets Playwright deliver its events."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        page.wait_for_timeout(50)


def response_to(page, method: str, path_end: str):
    return page.expect_response(
        lambda r: r.request.method == method and r.url.split("?")[0].endswith(path_end))


# ------------------------------------------------------- numbers as the page prints them
def js_fixed(x: float, digits: int = 3) -> str:
    """Number(x).toFixed(digits) as the page prints it: the exact binary value rounded half
    away from zero; -0 prints without a sign."""
    if x == 0:
        return f"{0:.{digits}f}"
    return str(Decimal(x).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def js_sig(x: float) -> str:
    """The page's fmtSig: a gradient as the formulas write numbers (3 decimals, or 3
    significant digits when tiny or huge), with JavaScript's exponent (1.2e-7)."""
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e5:
        return js_fixed(x)
    return re.sub(r"e([+-])0*(\d)", r"e\1\2", f"{x:.3g}")
