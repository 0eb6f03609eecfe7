"""The session store: sessions by id, each dropped after an idle timeout, at most a
capacity of them, each used with its lock held. This one keeps them in this process's
memory only (`memory://`); sqlite_store.py and redis_store.py keep them through restarts
and for several worker processes, with this one's live sessions as their hot copies.

A full store evicts the session idle longest, but only one idle longer than
`protected_idle` (30 minutes): a student who stepped away for a coffee keeps their
session, and a flood of new sessions (a script, another web page) cannot wipe a class's
sessions; a store full of recently used sessions refuses new ones (503 store_full).
"""

from __future__ import annotations

import json
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from . import own_data
from .config import Config, Limits
from .errors import Refused, UnknownSession, busy
from .sessions import Session


@contextmanager
def held(session: Session, wait: float) -> Iterator[Session]:
    """The session's lock held, waited for at most `wait` seconds (then 429 busy)."""
    if not session.lock.acquire(timeout=wait):
        raise busy()
    try:
        yield session
    finally:
        session.lock.release()


class SessionStore:
    """Sessions by id, each dropped after `ttl` idle seconds; at most `capacity` of them,
    the one idle longest going first when a new one needs room, if it has been idle more
    than `protected_idle` seconds.

    The index maps every session id to (session, last used); a subclass that keeps
    sessions elsewhere may index one as (None, last used) and make it on first use
    (`_load`), and hears of every session dropped (`_dropped`) and used (`_touched`)."""

    name = "memory"

    def __init__(self, ttl: float = 3600.0, capacity: int = 1000,
                 clock: Callable[[], float] = time.monotonic,
                 protected_idle: float = Limits.protected_idle_seconds) -> None:
        self.ttl, self.capacity, self.clock = ttl, capacity, clock
        self.protected_idle = protected_idle
        self._sessions: OrderedDict[str, tuple[Session | None, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._documents: dict[tuple[str, str], tuple[bytes, float]] = {}

    def create(self, config: Config, start: Callable[[Session], None] | None = None) -> Session:
        """A new session; refused (503) when the store is full of sessions in use.
        `start(session)` makes it more than a fresh playground (e.g. a model file's) before
        anyone can see it; when it raises, nothing is kept."""
        with self._lock:  # room is checked before the session is built
            self._make_room()
        session = Session(secrets.token_hex(16), config, self.own_data)  # 128 random bits
        if start is not None:
            start(session)
        with self._lock:  # and again: others may have taken the room meanwhile
            self._make_room()
            self._sessions[session.id] = (session, self.clock())
        self.changed(session)
        return session

    def own_data(self, dataset: str) -> own_data.OwnDataset:
        """A config's own data ("custom:<id>"), for its sessions (404 unknown_dataset)."""
        return own_data.find_for_config(self, dataset)

    def _make_room(self) -> None:
        self._expire()
        now = self.clock()
        while len(self._sessions) >= self.capacity:
            sid, (_, used) = next(iter(self._sessions.items()))  # the least recently used
            if now - used < self.protected_idle:
                raise self.full(now - used)
            self._drop(sid)

    def full(self, idle: float) -> Refused:
        """503: at capacity, and the session idle longest (`idle` s) is still protected."""
        wait = max(1, math.ceil(self.protected_idle - idle))
        return Refused(f"the server holds the most sessions it may ({self.capacity}), all "
                       f"used in the last {self.protected_idle / 60:g} minutes; try again "
                       f"in {wait} s", "store_full", {"retry_after": wait}, status=503,
                       retry_after=wait)

    def get(self, session_id: str) -> Session:
        with self._lock:
            found = self._at_hand(session_id)
            if found is None:
                raise UnknownSession(session_id)
            now = self.clock()
            self._sessions[session_id] = (found[0], now)
            self._sessions.move_to_end(session_id)
            self._touched(session_id, now)
            return found[0]

    def _at_hand(self, session_id: str) -> tuple[Session, float] | None:
        """(the session, when last used), loaded if it was not yet, without counting as a
        use; None (and dropped) when it expired or its record is unreadable. Lock held."""
        entry = self._sessions.get(session_id)
        if entry is not None and self.clock() - entry[1] > self.ttl:
            entry = None
        elif entry is not None and entry[0] is None:
            loaded = self._load(session_id)
            entry = None if loaded is None else (loaded, entry[1])
        if entry is None:
            if session_id in self._sessions:
                self._drop(session_id)
            return None
        self._sessions[session_id] = entry     # in place: the order is by use
        return entry

    def delete(self, session_id: str) -> None:
        with self._lock:
            if session_id not in self._sessions:
                raise UnknownSession(session_id)
            self._drop(session_id)

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
            self._drop(sid)

    def _drop(self, session_id: str) -> None:
        del self._sessions[session_id]
        self._dropped(session_id)

    # the hooks of a store that keeps sessions elsewhere (called with self._lock held)
    def _load(self, session_id: str) -> Session | None:
        return None

    def _dropped(self, session_id: str) -> None:
        pass

    def _touched(self, session_id: str, when: float) -> None:
        pass

    @contextmanager
    def use(self, session_id: str, wait: float = Limits.session_wait_seconds,
            write: bool = True) -> Iterator[Session]:
        """The session with its lock held: two tabs never interleave their updates. The
        lock is taken and released by the thread that does the work, waiting at most
        `wait` seconds (then 429 busy): no request waits on a session without bound.
        `write`: the block may change the session (a store that keeps sessions saves it)."""
        session = self.get(session_id)
        if not session.lock.acquire(timeout=wait):
            raise busy()
        try:
            yield session
        finally:
            try:
                if write:
                    self.changed(session)
            finally:
                session.lock.release()

    def ready(self, session_id: str) -> bool:
        """Whether `use` would find the session at hand: in memory, its lock free, nothing
        to load or wait for (the work pool runs a cheap job in the event loop only then)."""
        entry = self._sessions.get(session_id)
        return (entry is not None and entry[0] is not None and not entry[0].lock.locked()
                and self.clock() - entry[1] <= self.ttl)

    def changed(self, session: Session) -> None:
        """A session was (maybe) changed: nothing to save in memory."""

    # ------------------------------------------------------------------ documents
    # Small JSON documents kept beside the sessions (an exercise a teacher made), each
    # for `ttl` seconds from when it was written, at most Limits.max_documents of a kind.
    def put_document(self, kind: str, doc_id: str, body: dict, ttl: float,
                     evict: bool = False) -> None:
        """Keep `body` under (kind, id); when the kind has no room, 503 store_full, or with
        `evict` the document of that kind nearest its expiry makes room."""
        blob = json.dumps(body, separators=(",", ":")).encode()
        with self._lock:
            now = self.clock()
            for key in [k for k, (_, until) in self._documents.items() if until < now]:
                del self._documents[key]
            if ((kind, doc_id) not in self._documents     # one written again is no more
                    and sum(k[0] == kind for k in self._documents) >= Limits.max_documents):
                if not evict:
                    raise self.full(self.protected_idle)
                del self._documents[min((k for k in self._documents if k[0] == kind),
                                        key=lambda k: self._documents[k][1])]
            self._documents[(kind, doc_id)] = (blob, now + ttl)

    def get_document(self, kind: str, doc_id: str) -> dict | None:
        """The document, or None when there is none (never written, or expired)."""
        with self._lock:
            found = self._documents.get((kind, doc_id))
        if found is None or found[1] < self.clock():
            return None
        return json.loads(found[0])

    def list_documents(self, kind: str, limit: int) -> list[tuple[str, dict]]:
        """Up to `limit` documents of a kind still kept, as (id, body), in no set order."""
        now = self.clock()
        with self._lock:
            found = [(k[1], blob, until) for k, (blob, until) in self._documents.items()
                     if k[0] == kind and until >= now]
        return [(doc_id, json.loads(blob)) for doc_id, blob, _ in found[:limit]]

    # ------------------------------------------------------------------ looking on
    @contextmanager
    def peek(self, session_id: str, wait: float = 0.25) -> Iterator[tuple[Session, float] | None]:
        """The session (its lock held, at most `wait` s waited: then 429 busy) and when it
        was last used (wall-clock seconds), for someone who only looks at it (a teacher's
        dashboard): its idle time is not renewed and it is not marked as changed. None
        when it is gone."""
        with self._lock:
            entry = self._at_hand(session_id)
        if entry is None:
            yield None
            return
        session, used = entry
        with held(session, wait):
            yield session, time.time() - (self.clock() - used)

    def health(self) -> dict:
        return {"store": self.name}

    def close(self) -> None:
        """Save what is unsaved and let go of the backend (the server is stopping)."""
