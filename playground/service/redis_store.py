"""Sessions in Redis, for several worker processes and machines (`--store redis://...`).

Keys (prefix `np:`): `session:{id}` a hash {record, version} whose TTL is the idle
timeout; `used` a sorted set of ids by last use (counting, eviction); `lease:{id}` the
worker that may use the session now, with a TTL so that it frees itself when that worker
dies; `wanted:{id}` set by a worker waiting for someone else's lease.

A worker that holds a session's lease keeps it while it uses the session (a playing
student's frames cost no Redis call) and keeps a hot copy; a background thread writes the
changed copies every `flush_interval` seconds, renews the leases, and hands over those
another worker wants (written first) or that were idle a while. A write names the version
it was based on and is refused if the stored one moved on (no lost update); a worker that
takes a lease reloads the session if its version changed.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import redis

from .config import Config, Limits
from .errors import UnknownSession, busy
from .records import UnreadableRecord, from_record, to_record
from .sessions import Session
from .store import SessionStore, held

log = logging.getLogger(__name__)

PREFIX = "np:"
LEASE_MS = 3000            # a dead worker's sessions are free again after this
LEASE_IDLE = 2.0           # s unused before a lease is handed back unasked
FLUSH_INTERVAL = 0.25      # s between renewals and hand-overs (and writes before them)
SAVE_INTERVAL = 0.75       # s at least between routine writes of a playing session
PEEKED = 256              # read-only copies of other workers' sessions kept (peek)
POLL = 0.01                # s between tries for a lease someone else holds

# the write: only over the version it was based on (KEYS: session, used; ARGV: record,
# base version, ttl ms, now, id) -> the new version, or -1 when stale, -2 when gone
WRITE = """
local v = redis.call('HGET', KEYS[1], 'version')
if not v then
  if ARGV[2] ~= '0' then return -2 end
  v = '0'
end
if v ~= ARGV[2] then return -1 end
local new = tonumber(v) + 1
redis.call('HSET', KEYS[1], 'record', ARGV[1], 'version', new)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
return new
"""
# renew or release a lease only if it is still ours
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Hot:
    """This worker's copy of one session."""

    __slots__ = ("session", "version", "held_until", "used", "dirty", "saved")

    def __init__(self, session: Session, version: int) -> None:
        self.session, self.version = session, version
        self.held_until = 0.0      # monotonic: our lease is safe to use until then
        self.used = time.monotonic()
        self.dirty = False
        self.saved = time.monotonic()  # last written


class RedisStore(SessionStore):
    name = "redis"

    def __init__(self, url: str, ttl: float = 3600.0, capacity: int = 1000,
                 protected_idle: float = Limits.protected_idle_seconds,
                 flush_interval: float = FLUSH_INTERVAL) -> None:
        super().__init__(ttl, capacity, time.time, protected_idle)
        self.url = url
        self.redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.redis.ping()
        self.me = secrets.token_hex(8)           # this worker, as lease owner
        self._write = self.redis.register_script(WRITE)
        self._renew = self.redis.register_script(RENEW)
        self._release = self.redis.register_script(RELEASE)
        self._hot: dict[str, Hot] = {}
        self._peeked: dict[str, tuple[int, Session]] = {}   # read-only copies (peek)
        self._hot_lock = threading.Lock()
        self._stop = threading.Event()
        self.flush_interval = flush_interval
        self._flusher = threading.Thread(target=self._flush_loop, name="redis-store",
                                         daemon=True)
        self._flusher.start()

    @staticmethod
    def _key(kind: str, sid: str) -> str:
        return f"{PREFIX}{kind}:{sid}"

    # ------------------------------------------------------------------ the contract
    def create(self, config: Config, start: Callable[[Session], None] | None = None) -> Session:
        self._make_room()
        session = Session(secrets.token_hex(16), config, self.own_data)
        if start is not None:
            start(session)
        hot = Hot(session, 0)
        self._take_lease(session.id, wait=0.0)           # nobody else knows the id yet
        hot.held_until = time.monotonic() + LEASE_MS / 1000 * 0.8
        with self._hot_lock:
            self._hot[session.id] = hot
        self._save(hot)                                   # visible to every worker now
        return session

    def _make_room(self) -> None:
        now = self.clock()
        used = self._key("used", "all")
        self.redis.zremrangebyscore(used, "-inf", now - self.ttl)
        while self.redis.zcard(used) >= self.capacity:
            oldest = self.redis.zrange(used, 0, 0, withscores=True)
            if not oldest:
                break
            sid, when = oldest[0][0].decode(), oldest[0][1]
            if now - when < self.protected_idle:
                raise self.full(now - when)
            self._remove(sid)

    def _remove(self, sid: str) -> None:
        pipe = self.redis.pipeline()
        pipe.delete(self._key("session", sid), self._key("lease", sid), self._key("wanted", sid))
        pipe.zrem(self._key("used", "all"), sid)
        pipe.execute()
        with self._hot_lock:
            self._hot.pop(sid, None)

    def get(self, session_id: str) -> Session:
        """The latest stored state (a reader's view; `use` is what takes the lease)."""
        with self.use(session_id, write=False) as session:
            return session

    def delete(self, session_id: str) -> None:
        with self.use(session_id, write=False):
            self._remove(session_id)

    def __len__(self) -> int:
        used = self._key("used", "all")
        self.redis.zremrangebyscore(used, "-inf", self.clock() - self.ttl)
        return self.redis.zcard(used)

    @contextmanager
    def use(self, session_id: str, wait: float = Limits.session_wait_seconds,
            write: bool = True) -> Iterator[Session]:
        hot = self._lease(session_id, wait)
        session = hot.session
        if not session.lock.acquire(timeout=wait):
            raise busy()
        try:
            hot.used = time.monotonic()
            yield session
        finally:
            if write:
                hot.dirty = True
            session.lock.release()

    def ready(self, session_id: str) -> bool:
        hot = self._hot.get(session_id)
        return (hot is not None and time.monotonic() < hot.held_until
                and not hot.session.lock.locked())

    def health(self) -> dict:
        return {"store": self.name}

    # ------------------------------------------------------------------ documents
    def put_document(self, kind: str, doc_id: str, body: dict, ttl: float,
                     evict: bool = False) -> None:
        """A key with Redis's own expiry; the kind's ids in a sorted set by expiry, which
        bounds how many are kept."""
        index, now = self._key("documents", kind), self.clock()
        key = self._key(f"document:{kind}", doc_id)
        if ttl <= 0:                                   # kept no time at all
            self.redis.delete(key)
            return
        self.redis.zremrangebyscore(index, "-inf", now)
        if (self.redis.zcard(index) >= Limits.max_documents
                and self.redis.zscore(index, doc_id) is None):   # a new one, not one kept longer
            if not evict:
                raise self.full(self.protected_idle)
            for nearest, _ in self.redis.zpopmin(index):       # the one nearest its expiry
                self.redis.delete(self._key(f"document:{kind}", nearest.decode()))
        pipe = self.redis.pipeline()
        pipe.set(key, json.dumps(body, separators=(",", ":")), ex=max(1, math.ceil(ttl)))
        pipe.zadd(index, {doc_id: now + ttl})
        pipe.execute()

    def get_document(self, kind: str, doc_id: str) -> dict | None:
        blob = self.redis.get(self._key(f"document:{kind}", doc_id))
        return None if blob is None else json.loads(blob)

    def list_documents(self, kind: str, limit: int) -> list[tuple[str, dict]]:
        ids = [i.decode() for i in self.redis.zrangebyscore(
            self._key("documents", kind), self.clock(), "+inf", start=0, num=limit)]
        if not ids:
            return []
        blobs = self.redis.mget([self._key(f"document:{kind}", i) for i in ids])
        return [(i, json.loads(b)) for i, b in zip(ids, blobs) if b is not None]

    # ------------------------------------------------------------------ looking on
    @contextmanager
    def peek(self, session_id: str, wait: float = 0.25) -> Iterator[tuple[Session, float] | None]:
        """This worker's hot copy when it holds the lease; else the stored record, read
        without taking the lease (the student's worker keeps serving their frames), as a
        private copy re-read only when its version moved."""
        with self._hot_lock:
            hot = self._hot.get(session_id)
        if hot is not None and time.monotonic() < hot.held_until:
            session, last_used = hot.session, time.time() - (time.monotonic() - hot.used)
        else:
            pipe = self.redis.pipeline()
            pipe.hget(self._key("session", session_id), "version")
            pipe.zscore(self._key("used", "all"), session_id)
            version, used = pipe.execute()
            if version is None:
                yield None
                return
            copy = self._peeked.get(session_id)
            if copy is None or copy[0] != int(version):
                try:
                    copy = self._read_copy(session_id)
                except UnreadableRecord:
                    copy = None
                if copy is None:
                    yield None
                    return
            session, last_used = copy[1], used or self.clock()
        with held(session, wait):
            yield session, last_used

    def _read_copy(self, sid: str) -> tuple[int, Session] | None:
        version, record = self.redis.hmget(self._key("session", sid), "version", "record")
        if version is None:
            return None
        copy = (int(version), from_record(record, self.own_data))
        with self._hot_lock:
            self._peeked[sid] = copy
            while len(self._peeked) > PEEKED:
                self._peeked.pop(next(iter(self._peeked)))
        return copy

    # ------------------------------------------------------------------ leases
    def _lease(self, sid: str, wait: float) -> Hot:
        """This worker's current copy of the session, its lease held."""
        with self._hot_lock:
            hot = self._hot.get(sid)
        if hot is not None and time.monotonic() < hot.held_until:
            return hot
        self._take_lease(sid, wait)
        try:
            version, record = self.redis.hmget(self._key("session", sid), "version", "record")
            if version is None:
                raise UnknownSession(sid)
            version = int(version)
            if hot is None or hot.version != version:     # someone else wrote it meanwhile
                hot = Hot(from_record(record, self.own_data), version)
        except UnreadableRecord as exc:
            log.warning("session %s could not be loaded and was dropped: %s", sid, exc)
            self._remove(sid)
            raise UnknownSession(sid) from None
        except BaseException:
            self._release(keys=[self._key("lease", sid)], args=[self.me])
            raise
        hot.held_until = time.monotonic() + LEASE_MS / 1000 * 0.8
        with self._hot_lock:
            self._hot[sid] = hot
        return hot

    def _take_lease(self, sid: str, wait: float) -> None:
        lease = self._key("lease", sid)
        deadline = time.monotonic() + wait
        while True:
            if self.redis.set(lease, self.me, nx=True, px=LEASE_MS):
                return
            if self.redis.get(lease) == self.me.encode():
                self._renew(keys=[lease], args=[self.me, LEASE_MS])
                return
            if time.monotonic() >= deadline:
                raise busy("the session is busy on another worker")
            self.redis.set(self._key("wanted", sid), self.me, px=1000)
            time.sleep(POLL)

    # ------------------------------------------------------------------ writing
    def _save(self, hot: Hot) -> None:
        """Write the hot copy over the version it was loaded at (its lock held or unused)."""
        sid = hot.session.id
        new = self._write(keys=[self._key("session", sid), self._key("used", "all")],
                          args=[to_record(hot.session), hot.version,
                                int(self.ttl * 1000), self.clock(), sid])
        if new < 0:                   # stale or gone: never overwrite a newer state
            log.warning("session %s: a write over a stale copy was refused", sid)
            with self._hot_lock:
                self._hot.pop(sid, None)
            return
        hot.version, hot.dirty, hot.saved = new, False, time.monotonic()

    def flush(self, routine: bool = False) -> None:
        """Write the changed copies; hand over the leases another worker wants or that
        were idle a while; renew the others and the sessions' idle timeouts. `routine`
        (the flusher's rounds): a copy written less than SAVE_INTERVAL ago waits, unless
        it is handed over."""
        with self._hot_lock:
            held = [(sid, hot) for sid, hot in self._hot.items() if hot.held_until > 0]
            now = time.monotonic()
            for sid in [sid for sid, hot in self._hot.items()      # cold copies: forget
                        if hot.held_until == 0 and now - hot.used > 30 * LEASE_IDLE]:
                del self._hot[sid]
        if not held:
            return
        pipe = self.redis.pipeline(transaction=False)
        for sid, _ in held:
            pipe.exists(self._key("wanted", sid))
        wanted = pipe.execute()
        kept = []
        for (sid, hot), asked in zip(held, wanted):
            if not hot.session.lock.acquire(timeout=0.05):
                kept.append((sid, hot))          # in use right now: at the next round
                continue
            try:
                handing_over = asked or now - hot.used > LEASE_IDLE
                # a playing session changes every frame: written every SAVE_INTERVAL
                # (within a second, as SQLite), and at once before another worker takes it
                if hot.dirty and (handing_over or not routine
                                  or now - hot.saved >= SAVE_INTERVAL):
                    self._save(hot)
                if handing_over:
                    hot.held_until = 0.0
                    self._release(keys=[self._key("lease", sid)], args=[self.me])
                    self.redis.delete(self._key("wanted", sid))
                else:
                    kept.append((sid, hot))
            finally:
                hot.session.lock.release()
        pipe = self.redis.pipeline(transaction=False)
        stamp, ttl_ms = self.clock(), int(self.ttl * 1000)
        for sid, _ in kept:
            self._renew(keys=[self._key("lease", sid)], args=[self.me, LEASE_MS], client=pipe)
            pipe.pexpire(self._key("session", sid), ttl_ms)
            pipe.zadd(self._key("used", "all"), {sid: stamp})
        renewed = pipe.execute()[0::3]
        until = time.monotonic() + LEASE_MS / 1000 * 0.8
        for (_, hot), ok in zip(kept, renewed):
            # lost (a stall longer than the lease): taken and reloaded at the next use
            hot.held_until = until if ok and hot.held_until > 0 else 0.0

    def _flush_loop(self) -> None:
        while not self._stop.wait(self.flush_interval):
            try:
                self.flush(routine=True)
            except Exception:
                log.exception("writing sessions to Redis failed; trying again")

    def close(self) -> None:
        self._stop.set()
        self._flusher.join(timeout=10)
        with self._hot_lock:
            for hot in self._hot.values():
                hot.used = -math.inf   # hand every lease back after the last write
        try:
            self.flush()
        finally:
            self.redis.close()
