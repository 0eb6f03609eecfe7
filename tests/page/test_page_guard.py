"""The page and /docs under the server's Content-Security-Policy, in Chromium: both run
with no console error (a CSP violation logs one, as the first test shows), load nothing
from another origin, and the page plays over its same-origin WebSocket."""

from __future__ import annotations

import re

from .page_support import NUMBER, PageLog, expect


def foreign_requests(page, origin: str) -> list[str]:
    """Every request the page makes to anywhere but `origin` (data: URLs aside)."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url)
            if not (r.url.startswith(origin) or r.url.startswith("data:")) else None)
    return seen


def test_the_page_runs_under_its_csp_and_a_violation_would_show(ui, server):
    page = ui.page
    foreign = foreign_requests(page, server.url)
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    response = page.goto("/?lang=en")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    ui.wait_ready()
    ui.button("Play").click()  # the same-origin play socket is allowed by connect-src
    expect(page.get_by_test_id("epoch")).not_to_have_text("0")
    ui.button("Pause").click()
    expect(page.get_by_test_id("test-loss")).to_have_text(NUMBER)
    assert len(sockets) == 1 and sockets[0].endswith("/play")  # not blocked: no fallback
    assert foreign == []
    # an inline script is refused, and the refusal is a console error the ui fixture sees
    ui.log.expect(r"Content Security Policy")
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.inlineRan = true';
                             document.head.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.inlineRan === undefined")
    assert any(re.search("Content Security Policy", e) for e in ui.log.errors)


def test_docs_run_offline_under_the_csp(context, server):
    page = context.new_page()
    log = PageLog()
    log.watch(page)
    foreign = foreign_requests(page, server.url)
    response = page.goto("/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Neural Playground")
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.get_by_text("/api/sessions/{session_id}/step", exact=True)).to_be_visible()
    page.wait_for_timeout(300)  # late errors (a blocked image or style) would land here
    assert log.unexpected() == [] and foreign == []
