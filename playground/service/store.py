"""The session store: sessions by id, each dropped after an idle timeout, at most a
capacity of them (the one idle longest goes first), each used with its lock held."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .config import Config, Limits
from .errors import UnknownSession, busy
from .sessions import Session


class SessionStore:
    """Sessions by id, each dropped after `ttl` idle seconds; at most `capacity` of them,
    the one idle longest going first when a new one needs room."""

    def __init__(self, ttl: float = 3600.0, capacity: int = 1000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.capacity, self.clock = ttl, capacity, clock
        self._sessions: OrderedDict[str, tuple[Session, float]] = OrderedDict()
        self._lock = threading.Lock()

    def create(self, config: Config) -> Session:
        session = Session(secrets.token_hex(16), config)  # 128 random bits
        with self._lock:
            self._expire()
            while len(self._sessions) >= self.capacity:
                self._sessions.popitem(last=False)  # least recently used
            self._sessions[session.id] = (session, self.clock())
        return session

    def get(self, session_id: str) -> Session:
        with self._lock:
            entry = self._sessions.get(session_id)
            now = self.clock()
            if entry is None or now - entry[1] > self.ttl:
                self._sessions.pop(session_id, None)
                raise UnknownSession(session_id)
            self._sessions[session_id] = (entry[0], now)
            self._sessions.move_to_end(session_id)
            return entry[0]

    def delete(self, session_id: str) -> None:
        with self._lock:
            if self._sessions.pop(session_id, None) is None:
                raise UnknownSession(session_id)

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._sessions)

    def _expire(self) -> None:
        now = self.clock()
        while self._sessions:
            sid, (_, used) = next(iter(self._sessions.items()))
            if now - used <= self.ttl:
                break
            del self._sessions[sid]

    @contextmanager
    def use(self, session_id: str,
            wait: float = Limits.session_wait_seconds) -> Iterator[Session]:
        """The session with its lock held: two tabs never interleave their updates. The
        lock is taken and released by the thread that does the work, waiting at most
        `wait` seconds (then 429 busy): no request waits on a session without bound."""
        session = self.get(session_id)
        if not session.lock.acquire(timeout=wait):
            raise busy()
        try:
            yield session
        finally:
            session.lock.release()
