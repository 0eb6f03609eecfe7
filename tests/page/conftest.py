"""Fixtures of the page tests: the server (`python -m playground`, one per test module),
an API client to referee the page, Chromium, and a fresh page per test that must log no
errors. Without Chromium or Playwright the tests are skipped, unless CI=true."""

from __future__ import annotations

import httpx
import pytest

from .page_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    Playground,
    Server,
    browser_missing,
    unavailable,
)


# ---------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    reason = browser_missing()
    if reason:
        unavailable(reason)
    srv = Server(tmp_path_factory.mktemp("server") / "server.log")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def api(server):
    with httpx.Client(base_url=server.url, timeout=15) as client:
        yield client


@pytest.fixture(scope="module")
def browser():
    reason = browser_missing()
    if reason:
        unavailable(reason)
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as exc:
            unavailable(f"Chromium at {CHROMIUM} does not start: {exc}")
        yield b
        b.close()


@pytest.fixture
def context(browser, server):
    ctx = browser.new_context(viewport=VIEWPORT, base_url=server.url, locale="en-US")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def ui(context, api):
    """A fresh page per test; at the end, no console errors and no page errors."""
    play = Playground(context.new_page(), api)
    yield play
    assert play.log.unexpected() == [], "the page logged errors"
