"""The work pool (web/executor.py): a session's gate (one job at a time, a bounded number
of waiters, each for a bounded time), the bounded lane queue, round-robin fairness
between sessions, and a session whose lock is held elsewhere answered 429 busy."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest

from playground.service.config import Config
from playground.service.errors import Refused
from playground.service.store import SessionStore
from playground.web.executor import SessionGate, WorkPool

from .api_support import API, error_body, snapshot

SMALL = Config(num_samples=40)


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 20))


def test_one_holder_and_waiters_in_order():
    gate = SessionGate(wait=5, max_waiting=3)
    order: list[int] = []

    async def user(i: int) -> None:
        await gate.enter("s")
        order.append(i)
        await asyncio.sleep(0.01)
        gate.leave("s")

    async def main() -> None:
        await asyncio.gather(*(user(i) for i in range(4)))

    run(main())
    assert order == [0, 1, 2, 3]
    assert not gate.holding("s")


def test_more_waiters_than_allowed_are_refused_at_once():
    gate = SessionGate(wait=5, max_waiting=2)

    async def main() -> list[object]:
        await gate.enter("s")
        waiting = [asyncio.ensure_future(gate.enter("s")) for _ in range(2)]
        await asyncio.sleep(0)
        start = time.monotonic()
        with pytest.raises(Refused) as busy:
            await gate.enter("s")
        assert time.monotonic() - start < 0.1
        assert (busy.value.code, busy.value.status, busy.value.retry_after) == ("busy", 429, 1)
        await asyncio.to_thread(gate.leave, "s")  # from a worker thread, as jobs do
        await waiting[0]
        gate.leave("s")
        await waiting[1]
        gate.leave("s")
        return [gate.holding("s")]

    assert run(main()) == [False]


def test_a_waiter_gives_up_after_the_wait():
    gate = SessionGate(wait=0.2, max_waiting=4)

    async def main() -> float:
        await gate.enter("s")
        start = time.monotonic()
        with pytest.raises(Refused):
            await gate.enter("s")
        waited = time.monotonic() - start
        gate.leave("s")
        await gate.enter("s")  # the one that gave up left no trace
        gate.leave("s")
        return waited

    assert 0.15 < run(main()) < 1.0


def test_a_lane_queue_is_bounded():
    pool = WorkPool(cpu_threads=1, max_queued=2)
    release = threading.Event()

    async def main() -> None:
        jobs = [asyncio.ensure_future(pool.run(lambda: release.wait(5))) for _ in range(2)]
        await asyncio.sleep(0.05)
        with pytest.raises(Refused) as busy:
            await pool.run(lambda: None)
        assert busy.value.code == "busy"
        release.set()
        assert await asyncio.gather(*jobs) == [True, True]
        assert await pool.run(lambda: 7) == 7

    run(main())


def test_sessions_take_turns_on_a_busy_lane():
    """One thread; session A asks for eight 0.1 s jobs at once, B for one short job just
    after: B waits for the job A is running and at most one more, never for A's whole
    pile (A's others wait at its gate, not in the lane's queue)."""
    store = SessionStore()
    a, b = store.create(SMALL), store.create(SMALL)
    pool = WorkPool(cpu_threads=1, max_waiting=8)
    finished: dict[str, float] = {}

    async def player() -> None:
        await asyncio.gather(*(pool.on_session(store, a.id, lambda s: time.sleep(0.1))
                               for _ in range(8)))
        finished["a"] = time.monotonic()

    async def other() -> None:
        await asyncio.sleep(0.05)
        start = time.monotonic()
        await pool.on_session(store, b.id, lambda s: s.snapshot())
        finished["b"] = time.monotonic() - start

    async def main() -> None:
        await asyncio.gather(player(), other())

    run(main())
    assert finished["b"] < 0.35  # 8 x 0.1 s in a first-come queue would be 0.75 s or more


def test_a_job_holds_the_session_lock_in_its_own_thread():
    store = SessionStore()
    session = store.create(SMALL)
    pool = WorkPool(cpu_threads=2)

    def job(s) -> bool:
        return not s.lock.acquire(blocking=False)  # held, by this very job

    assert run(pool.on_session(store, session.id, job)) is True
    assert session.lock.acquire(blocking=False)
    session.lock.release()


def test_a_session_busy_beyond_a_short_wait_is_429(client, store, new_session):
    """The session's lock is held elsewhere (here by the test): the worker waits
    session_wait_seconds for it, then the request is refused and changes nothing."""
    sid = new_session()["id"]
    before = snapshot(client, sid)
    lock = store.get(sid).lock
    lock.acquire()
    try:
        response = client.post(f"{API}/{sid}/step", json={"steps": 1})
        with client.websocket_connect(f"{API}/{sid}/play") as ws:
            ws.send_text('{"epochs": 1}')
            message = json.loads(ws.receive_text())
    finally:
        lock.release()
    assert response.status_code == 429 and response.headers["retry-after"] == "1"
    assert error_body(response.json(), "busy")["params"] == {"retry_after": 1}
    assert message["error"]["status"] == 429 and message["error"]["code"] == "busy"
    assert snapshot(client, sid) == before
    assert client.post(f"{API}/{sid}/step", json={"steps": 1}).status_code == 200


def _thread_of(pool: WorkPool, store: SessionStore, session_id: str, kind=None,
               cost: float = 0.0) -> str:
    """The thread a job of `kind` ran in; the job spends `cost` s of CPU."""
    def job(session) -> str:
        end = time.thread_time() + cost
        while time.thread_time() < end:
            pass
        return threading.current_thread().name
    return run(pool.on_session(store, session_id, job, kind=kind))


def test_a_cheap_kind_of_job_runs_in_the_event_loop_after_a_first_measured_run():
    store = SessionStore()
    sid = store.create(SMALL).id
    pool = WorkPool(cpu_threads=1)
    loop_thread = threading.current_thread().name   # asyncio.run runs the loop here
    assert _thread_of(pool, store, sid, "frame").startswith("play-cpu")   # cost unknown
    assert _thread_of(pool, store, sid, "frame") == loop_thread
    assert _thread_of(pool, store, sid, "frame") == loop_thread
    # another kind, or another session, is measured on a worker first
    assert _thread_of(pool, store, sid, "snapshot").startswith("play-cpu")
    other = store.create(SMALL).id
    assert _thread_of(pool, store, other, "frame").startswith("play-cpu")


def test_a_job_without_a_kind_forgets_the_costs_of_the_session():
    """An edit may make the next frame dear: it is measured on a worker again."""
    store = SessionStore()
    sid = store.create(SMALL).id
    pool = WorkPool(cpu_threads=1)
    _thread_of(pool, store, sid, "frame")
    assert _thread_of(pool, store, sid, "frame") == threading.current_thread().name
    assert _thread_of(pool, store, sid).startswith("play-cpu")   # e.g. a layer added
    assert _thread_of(pool, store, sid, "frame").startswith("play-cpu")


def test_a_dear_kind_of_job_stays_on_the_workers():
    store = SessionStore()
    sid = store.create(SMALL).id
    pool = WorkPool(cpu_threads=1, inline_below=0.005)
    for _ in range(3):   # 10 ms of CPU each time: never in the loop
        assert _thread_of(pool, store, sid, "frame", cost=0.01).startswith("play-cpu")


def test_a_session_not_at_hand_is_not_used_in_the_event_loop():
    """Its lock held elsewhere (e.g. the store writing it out): the job waits in a worker,
    never in the loop."""
    store = SessionStore()
    session = store.create(SMALL)
    pool = WorkPool(cpu_threads=1)
    _thread_of(pool, store, session.id, "frame")
    assert store.ready(session.id)
    session.lock.acquire()
    assert not store.ready(session.id)
    threading.Timer(0.2, session.lock.release).start()
    assert _thread_of(pool, store, session.id, "frame").startswith("play-cpu")
    assert store.ready(session.id) and not store.ready("no-such-session")


def test_the_play_socket_answers_cheap_frames_from_the_event_loop(client, new_session,
                                                                  monkeypatch):
    """Through the app: after the first frame, a small network's frames are answered
    without a hop to a worker, and train on as the workers would."""
    sid = new_session()["id"]
    pool = client.app.state.pool
    hops: list[str] = []
    submit = pool._submit
    monkeypatch.setattr(pool, "_submit", lambda lane, call, key: hops.append(lane)
                        or submit(lane, call, key))
    steps = []
    with client.websocket_connect(f"/api/sessions/{sid}/play") as ws:
        for _ in range(4):
            ws.send_text(json.dumps({"epochs": 1, "resolution": 10, "history_since": -1}))
            steps.append(json.loads(ws.receive_text())["snapshot"]["step"])
    assert hops == ["cpu"]                      # the first frame only
    assert steps == [s * steps[0] for s in (1, 2, 3, 4)]
    costs = pool._costs[sid]
    assert len(costs) == 1 and next(iter(costs.values())) < pool.inline_below


def test_cheap_jobs_of_many_sessions_take_turns_in_arrival_order():
    """Inline jobs run one at a time, first come first served, as on a lane: every
    student of a class gets the same share of frames."""
    store = SessionStore()
    ids = [store.create(SMALL).id for _ in range(4)]
    pool = WorkPool(cpu_threads=1)
    order: list[str] = []

    async def main() -> None:
        for sid in ids:   # first runs, measured on a worker
            await pool.on_session(store, sid, lambda s: None, kind="frame")
        for _ in range(3):
            await asyncio.gather(*(pool.on_session(store, sid, lambda s: order.append(s.id),
                                                   kind="frame") for sid in ids))

    run(main())
    assert order == ids * 3


def test_a_cancelled_request_does_not_run_its_queued_cheap_job():
    store = SessionStore()
    a, b = store.create(SMALL).id, store.create(SMALL).id
    pool = WorkPool(cpu_threads=1)
    ran: list[str] = []

    async def main() -> None:
        for sid in (a, b):
            await pool.on_session(store, sid, lambda s: None, kind="frame")
        first = asyncio.ensure_future(pool.on_session(store, a, lambda s: ran.append("a"),
                                                      kind="frame"))
        second = asyncio.ensure_future(pool.on_session(store, b, lambda s: ran.append("b"),
                                                       kind="frame"))
        await asyncio.sleep(0)
        first.cancel()
        await second
        assert first.cancelled() and not pool.gate.holding(a)

    run(main())
    assert ran == ["b"]


def test_a_cheap_read_goes_before_the_frames_waiting():
    """A snapshot read waits for the frame running, not for the whole class's frames."""
    store = SessionStore()
    ids = [store.create(SMALL).id for _ in range(4)]
    pool = WorkPool(cpu_threads=1)
    order: list[str] = []

    async def main() -> None:
        for sid in ids:
            await pool.on_session(store, sid, lambda s: None, kind="frame")
        await pool.on_session(store, ids[0], lambda s: None, "light", kind="snapshot")
        jobs = [pool.on_session(store, sid, lambda s: order.append("frame"), kind="frame")
                for sid in ids[1:]]
        jobs.append(pool.on_session(store, ids[0], lambda s: order.append("read"), "light",
                                    kind="snapshot"))
        await asyncio.gather(*jobs)

    run(main())
    assert order == ["read", "frame", "frame", "frame"]
