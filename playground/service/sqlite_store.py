"""The embedded store: the sessions of store.py, kept in a SQLite file (the standard
library's sqlite3, WAL) so that a restart or a crash (kill -9) loses nothing answered more
than about a second before.

Live sessions stay in this process's memory (the hot copies a playing student's frames
use); a background thread writes the ones changed since its last round every
`flush_interval` seconds (one transaction), with every session's last use. At start the
index of stored sessions is read, and each is made again from its record (records.py)
when it is first used. One process a file: a lock file says so, and a second process on
the same file is refused (several workers need a store they can share: Redis).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .config import Limits
from .records import UnreadableRecord, from_record, to_record
from .sessions import Session
from .store import SessionStore

log = logging.getLogger(__name__)
FLUSH_INTERVAL = 0.5      # s between writes: what a crash may lose, at most about twice this


class StoreInUse(RuntimeError):
    """Another process already serves this SQLite file."""


class SqliteStore(SessionStore):
    name = "sqlite"

    def __init__(self, path: str | Path, ttl: float = 3600.0, capacity: int = 1000,
                 protected_idle: float = Limits.protected_idle_seconds,
                 flush_interval: float = FLUSH_INTERVAL,
                 clock: Callable[[], float] = time.time) -> None:   # wall time: restarts
        super().__init__(ttl, capacity, clock, protected_idle)
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lockfile = open(f"{self.path}.lock", "a+")   # noqa: SIM115 (held until close)
        try:
            fcntl.flock(self._lockfile, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lockfile.close()
            raise StoreInUse(
                f"another process is serving sessions from {self.path}; the embedded store "
                f"serves one process: for several workers use Redis (--store redis://...)"
            ) from None
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")   # WAL: a commit survives kill -9
        self._db.execute("CREATE TABLE IF NOT EXISTS sessions "
                         "(id TEXT PRIMARY KEY, used REAL NOT NULL, record BLOB NOT NULL)")
        self._db.execute("CREATE TABLE IF NOT EXISTS documents (kind TEXT NOT NULL, "
                         "id TEXT NOT NULL, until REAL NOT NULL, body BLOB NOT NULL, "
                         "PRIMARY KEY (kind, id))")
        for sid, used in self._db.execute("SELECT id, used FROM sessions ORDER BY used"):
            self._sessions[sid] = (None, used)
        self._dirty: dict[str, Session] = {}
        self._used: dict[str, float] = {}
        self._gone: set[str] = set()
        self._io = threading.Lock()             # one writer of the database at a time
        self._stop = threading.Event()
        self.flush_interval = flush_interval
        self._flusher = threading.Thread(target=self._flush_loop, name="sqlite-store",
                                         daemon=True)
        self._flusher.start()

    # ------------------------------------------------------------------ hooks
    def _load(self, session_id: str) -> Session | None:
        with self._io:
            row = self._db.execute("SELECT record FROM sessions WHERE id = ?",
                                   (session_id,)).fetchone()
        if row is None:
            return None
        try:
            return from_record(row[0], self.own_data)
        except UnreadableRecord as exc:
            log.warning("session %s could not be loaded and was dropped: %s", session_id, exc)
            return None

    def _dropped(self, session_id: str) -> None:
        self._dirty.pop(session_id, None)
        self._used.pop(session_id, None)
        self._gone.add(session_id)

    def _touched(self, session_id: str, when: float) -> None:
        self._used[session_id] = when

    def changed(self, session: Session) -> None:
        with self._lock:
            if session.id in self._sessions:
                self._dirty[session.id] = session

    def health(self) -> dict:
        return {"store": self.name, "path": str(self.path)}

    # ------------------------------------------------------------------ documents
    def put_document(self, kind: str, doc_id: str, body: dict, ttl: float,
                     evict: bool = False) -> None:
        """Written at once (documents are few and rarely written)."""
        blob = json.dumps(body, separators=(",", ":")).encode()
        now = self.clock()
        with self._io:
            self._db.execute("DELETE FROM documents WHERE until < ?", (now,))
            (count,) = self._db.execute("SELECT COUNT(*) FROM documents WHERE kind = ? "
                                        "AND id != ?", (kind, doc_id)).fetchone()
            if count >= Limits.max_documents:   # one written again (kept longer) is no more
                if not evict:
                    raise self.full(self.protected_idle)
                self._db.execute("DELETE FROM documents WHERE rowid = (SELECT rowid FROM "
                                 "documents WHERE kind = ? AND id != ? ORDER BY until LIMIT 1)",
                                 (kind, doc_id))
            self._db.execute("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?)",
                             (kind, doc_id, now + ttl, blob))

    def get_document(self, kind: str, doc_id: str) -> dict | None:
        with self._io:
            row = self._db.execute("SELECT body FROM documents WHERE kind = ? AND id = ? "
                                   "AND until >= ?", (kind, doc_id, self.clock())).fetchone()
        return None if row is None else json.loads(row[0])

    def list_documents(self, kind: str, limit: int) -> list[tuple[str, dict]]:
        with self._io:
            rows = self._db.execute("SELECT id, body FROM documents WHERE kind = ? AND "
                                    "until >= ? LIMIT ?",
                                    (kind, self.clock(), limit)).fetchall()
        return [(doc_id, json.loads(body)) for doc_id, body in rows]

    # ------------------------------------------------------------------ writing
    def flush(self) -> None:
        """Write what changed since the last flush (a session busy past a short wait is
        written at the next one)."""
        with self._lock:
            dirty, self._dirty = self._dirty, {}
            used, self._used = self._used, {}
            gone, self._gone = self._gone, set()
        records, later = [], {}
        for sid, session in dirty.items():
            if not session.lock.acquire(timeout=0.05):
                later[sid] = session
                continue
            try:
                records.append((sid, used.pop(sid, self.clock()), to_record(session)))
            finally:
                session.lock.release()
        with self._lock:            # dropped meanwhile: not written back
            records = [r for r in records if r[0] not in self._gone]
            for sid, session in later.items():
                if sid in self._sessions:
                    self._dirty.setdefault(sid, session)
        with self._io:
            self._db.execute("BEGIN")
            try:
                self._db.executemany("INSERT OR REPLACE INTO sessions (id, used, record) "
                                     "VALUES (?, ?, ?)", records)
                self._db.executemany("UPDATE sessions SET used = ? WHERE id = ?",
                                     [(when, sid) for sid, when in used.items()])
                self._db.executemany("DELETE FROM sessions WHERE id = ?", [(s,) for s in gone])
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _flush_loop(self) -> None:
        while not self._stop.wait(self.flush_interval):
            try:
                self.flush()
            except Exception:   # a full disk must not end the saving for good
                log.exception("writing sessions to %s failed; trying again", self.path)

    def close(self) -> None:
        self._stop.set()
        self._flusher.join(timeout=10)
        try:
            self.flush()
        finally:
            self._db.close()
            fcntl.flock(self._lockfile, fcntl.LOCK_UN)
            self._lockfile.close()


def default_data_dir() -> Path:
    """A per-user data directory (XDG on Linux), where the embedded store lives."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "neural-playground"
