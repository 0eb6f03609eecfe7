"""Where the server's CPU work runs, and how requests take turns: the one place of its
concurrency machinery.

Why not FastAPI's threadpool: CPU-bound NumPy work in Starlette's 40 threads contends for
the GIL (throughput fell as students joined), and a session lock held by a generator
dependency across two threads could wait forever for a free thread: ~45 concurrent
requests on one session hung the whole server. Here:

- Two fixed pools of threads ("lanes"): `cpu`, sized to the cores, runs everything that
  trains or computes (step, frame, heatmaps, trace, edits, a new session); `light`, two
  threads, runs reads that only write out what is already computed (GET snapshot, params,
  data) and the session-less previews, so they stay fast while `cpu` is busy.
- A gate per session in the event loop: at most one job of a session is in a pool at a
  time (so at most one frame per session in flight), at most `max_waiting_per_session`
  requests wait for it, each at most `session_wait_seconds`; past either, 429 `busy`. A
  waiting request holds no thread, only a future.
- Fairness: a lane's queue is first-come-first-served and holds at most one job per
  session, so sessions are served round-robin: a student at 200 epochs a frame gets one
  turn per round, like one at 1 epoch, and every turn is short because the work of one
  call is bounded (`max_work_per_call`, service/checks.py).
- Each lane's queue is bounded too (`MAX_QUEUED`): past it, 429 `busy` at once.
- In the worker, the session's own lock is taken and released by that one thread, with a
  bounded wait (store.use): the gate makes that wait rare, the lock keeps it correct.
- Cheap jobs skip the hop (`kind`): a job that says what it is (a play frame of given
  sizes, a snapshot read) and took under `INLINE_BELOW` of CPU the last time this session
  ran that kind runs in the event loop itself, when the store has the session at hand
  (`store.ready`: no backend to wait for); one at a time, first come first served, a
  read (the light lane's kind) before the frames waiting. Handing a 1-2 ms frame to a
  thread and back cost more than the frame (the GIL passed between the loop and the
  workers several times a frame: 30 students on DEFAULT got 506 frames/s in all through
  the threads, 895 inline). A job without a kind (an edit, a reset) forgets the
  session's costs: a frame after a change of network is measured on a worker again
  before it may run inline.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Literal, TypeVar

from ..service.config import Limits
from ..service.errors import busy
from ..service.sessions import Session
from ..service.store import SessionStore

T = TypeVar("T")
Lane = Literal["cpu", "light"]
LIGHT_THREADS = 2
MAX_QUEUED = 512  # jobs waiting or running in one lane (one per session, plus previews)
INLINE_BELOW = 0.004  # s of CPU: a job kind that cost less runs in the event loop next time
MAX_REMEMBERED = 10_000  # sessions whose job costs are remembered (then start over)


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _grant(turn: asyncio.Future) -> None:
    if not turn.done():  # a waiter that timed out meanwhile has cancelled its future
        turn.set_result(None)


class SessionGate:
    """One holder per key at a time; at most `max_waiting` others wait, first come first
    served, each at most `wait` seconds. Entered in an event loop, left from any thread."""

    def __init__(self, wait: float, max_waiting: int) -> None:
        self.wait, self.max_waiting = wait, max_waiting
        self._lock = threading.Lock()  # held for a few operations, never across an await
        self._held: set[str] = set()
        self._waiting: dict[str, deque[tuple[asyncio.AbstractEventLoop, asyncio.Future]]] = {}

    async def enter(self, key: str) -> None:
        """Hold `key`, waiting for it if need be; 429 busy when that takes too long."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if key not in self._held:
                self._held.add(key)
                return
            queue = self._waiting.setdefault(key, deque())
            if len(queue) >= self.max_waiting:
                raise busy()
            entry = (loop, loop.create_future())
            queue.append(entry)
        try:
            await asyncio.wait_for(entry[1], self.wait)
        except (TimeoutError, asyncio.CancelledError) as exc:
            with self._lock:  # still queued: give up; already handed the key: it is ours
                queue = self._waiting.get(key)
                queued = queue is not None and entry in queue
                if queued:
                    queue.remove(entry)
                    if not queue:
                        del self._waiting[key]
            if queued:
                if isinstance(exc, TimeoutError):
                    raise busy() from None
                raise
            if isinstance(exc, asyncio.CancelledError):
                self.leave(key)
                raise

    def leave(self, key: str) -> None:
        """Hand `key` to its first waiter (it stays held), or free it."""
        while True:
            with self._lock:
                queue = self._waiting.get(key)
                if not queue:
                    self._held.discard(key)
                    return
                loop, turn = queue.popleft()
                if not queue:
                    del self._waiting[key]
            try:
                loop.call_soon_threadsafe(_grant, turn)
                return
            except RuntimeError:  # that waiter's event loop is closed: the next one's turn
                continue

    def holding(self, key: str) -> bool:
        with self._lock:
            return key in self._held


class WorkPool:
    """The lanes and the session gate; `on_session` and `run` are all a route needs."""

    def __init__(self, cpu_threads: int | None = None,
                 wait: float = Limits.session_wait_seconds,
                 max_waiting: int = Limits.max_waiting_per_session,
                 max_queued: int = MAX_QUEUED, inline_below: float = INLINE_BELOW) -> None:
        self._lanes = {
            "cpu": ThreadPoolExecutor(cpu_threads or cores(), thread_name_prefix="play-cpu"),
            "light": ThreadPoolExecutor(LIGHT_THREADS, thread_name_prefix="play-light"),
        }
        self._queued = dict.fromkeys(self._lanes, 0)
        self._count_lock = threading.Lock()
        self.max_queued = max_queued
        self.gate = SessionGate(wait, max_waiting)
        self.inline_below = inline_below
        # session -> job kind -> CPU seconds of its last run (read and written in the loop
        # and the workers; a lost update only costs one more hop)
        self._costs: dict[str, dict[Hashable, float]] = {}
        # per event loop: (urgent, normal) queues of inline jobs while its runner runs
        self._inline_queues: dict[asyncio.AbstractEventLoop, tuple[deque, deque]] = {}

    async def on_session(self, store: SessionStore, session_id: str,
                         fn: Callable[[Session], T], lane: Lane = "cpu",
                         kind: Hashable | None = None) -> T:
        """fn(session) on a lane (or inline, see the module's notes), its turn taken at
        the gate, with the session's lock held. `kind`: what the job is, for jobs of a
        cost that depends on the kind only (None: any other job)."""
        await self.gate.enter(session_id)
        write = lane == "cpu"
        if kind is None:
            self._costs.pop(session_id, None)
        elif self._cheap(session_id, kind) and store.ready(session_id):
            try:
                return await self._inline(lambda: self._measured(store, session_id, fn,
                                                                 write, kind), not write)
            finally:
                self.gate.leave(session_id)
        try:
            job = self._submit(lane, lambda: self._measured(store, session_id, fn, write, kind),
                               session_id)
        except BaseException:
            self.gate.leave(session_id)
            raise
        return await asyncio.wrap_future(job)

    async def _inline(self, call: Callable[[], T], urgent: bool) -> T:
        """call() in the event loop, in turn: jobs run first come first served, one at a
        time, the loop reading its sockets between two (running each in its request's
        own task served whoever the loop woke first: some students got 2/3 of the
        others' frames). `urgent` jobs (reads) go before the frames waiting."""
        loop = asyncio.get_running_loop()
        turn: asyncio.Future = loop.create_future()
        queues = self._inline_queues.get(loop)
        if queues is None:
            queues = self._inline_queues[loop] = (deque(), deque())
            loop.create_task(self._run_inline(loop, queues))
        queues[0 if urgent else 1].append((call, turn))
        return await turn

    async def _run_inline(self, loop: asyncio.AbstractEventLoop,
                          queues: tuple[deque, deque]) -> None:
        try:
            while queues[0] or queues[1]:
                await asyncio.sleep(0)     # the loop reads its sockets: arrivals queue up
                call, turn = (queues[0] or queues[1]).popleft()
                if not turn.done():        # a request cancelled meanwhile has left the gate
                    try:
                        turn.set_result(call())
                    except BaseException as exc:  # noqa: BLE001  the request's to raise
                        turn.set_exception(exc)
        finally:                           # done, or the loop is closing: none left hanging
            self._inline_queues.pop(loop, None)
            for queue in queues:
                for _, turn in queue:
                    turn.cancel()

    def _cheap(self, session_id: str, kind: Hashable) -> bool:
        cost = self._costs.get(session_id, {}).get(kind)
        return cost is not None and cost < self.inline_below

    def _measured(self, store: SessionStore, session_id: str, fn: Callable[[Session], T],
                  write: bool, kind: Hashable | None) -> T:
        """fn(session) with the lock held; its CPU time (not the wall time a worker spends
        waiting for the GIL) remembered under `kind`."""
        started = time.thread_time()
        result = _locked(store, session_id, fn, write)
        if kind is not None:
            if len(self._costs) >= MAX_REMEMBERED:
                self._costs.clear()
            self._costs.setdefault(session_id, {})[kind] = time.thread_time() - started
        return result

    async def run(self, fn: Callable[[], T], lane: Lane = "cpu") -> T:
        """fn() on a lane, for work that belongs to no session (yet)."""
        return await asyncio.wrap_future(self._submit(lane, fn, None))

    def _submit(self, lane: Lane, call: Callable[[], T], key: str | None) -> Future[T]:
        with self._count_lock:
            if self._queued[lane] >= self.max_queued:
                raise busy("the server is busy")
            self._queued[lane] += 1
        try:
            job = self._lanes[lane].submit(call)
        except BaseException:
            self._finished(lane, None)
            raise
        # the gate is left when the job ends, not when its request does: a request
        # cancelled mid-job must not let the session's next job start beside it
        job.add_done_callback(lambda _: self._finished(lane, key))
        return job

    def _finished(self, lane: Lane, key: str | None) -> None:
        with self._count_lock:
            self._queued[lane] -= 1
        if key is not None:
            self.gate.leave(key)


def _locked(store: SessionStore, session_id: str, fn: Callable[[Session], T],
            write: bool) -> T:
    with store.use(session_id, write=write) as session:
        return fn(session)
