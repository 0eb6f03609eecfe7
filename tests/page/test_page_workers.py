"""Two workers behind one port, sessions in Redis (Chromium): kill -9 either worker
while the page plays, and the page reconnects to the other (or to the one started in
its place) and plays on in the same session; nothing lost but the frame in flight."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from ..server_support import Server
from .page_support import browser_missing, unavailable, wait_until
from .test_page_resume import OFFLINE_ERRORS


@pytest.fixture(scope="module")
def server(tmp_path_factory, redis_server):
    """This module's server: two workers sharing a Redis."""
    reason = browser_missing()
    if reason:
        unavailable(reason)
    srv = Server(tmp_path_factory.mktemp("workers") / "server.log",
                 ["--workers", "2", "--store", redis_server.url])
    srv.start(timeout=60)
    yield srv
    srv.stop()


def workers(server: Server) -> list[int]:
    """The worker processes' ids: the supervisor's children that serve (not its helpers)."""
    pids = []
    for task in Path(f"/proc/{server.proc.pid}/task").glob("*/children"):
        pids += [int(p) for p in task.read_text().split()]
    return [p for p in pids if b"multiprocessing.spawn" in Path(f"/proc/{p}/cmdline").read_bytes()
            and b"resource_tracker" not in Path(f"/proc/{p}/cmdline").read_bytes()]


def test_killing_either_worker_while_playing_loses_nothing(ui, server):
    page = ui.open("lang=en").page
    ui.log.expect(OFFLINE_ERRORS)
    ui.log.expect(r"status of 429")          # the dead worker's lease, for up to 3 s
    ui.button("Play").click()
    wait_until(page, lambda: ui.epoch() >= 10, 20, "epoch 10")
    sid = ui.session_id
    first = workers(server)
    assert len(first) == 2, first
    for pid in first:                         # one of them holds the page's play socket
        at_kill = ui.epoch()
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
        wait_until(page, lambda: ui.epoch() >= at_kill + 20, 40,
                   f"playing on past epoch {at_kill + 20} after worker {pid} was killed")
        assert ui.session_id == sid           # the same session, not a fresh one
    epoch = ui.epoch()
    assert epoch > 40
    ui.button("Pause").click()
    settled = ui.settle()
    assert ui.api.get(f"/api/sessions/{sid}").json()["epoch"] == settled
