"""The store contract on every backend (service/store.py, sqlite_store.py,
redis_store.py): the same answers whatever keeps the sessions; and what a store that
keeps them adds: an exact round trip through a restart, writes within a second, one
process a SQLite file, and for Redis: workers that take turns, a stale write refused."""

from __future__ import annotations

import sqlite3
import time

import pytest

from playground.service import own_data
from playground.service.config import Config, Limits
from playground.service.errors import Refused, UnknownSession
from playground.service.records import from_record
from playground.service.redis_store import RedisStore
from playground.service.sqlite_store import SqliteStore, StoreInUse
from playground.service.store import SessionStore

from .test_sessions import assert_same_state
from .test_store import SMALL, FakeClock

BACKENDS = ["memory", "sqlite", "redis"]


@pytest.fixture(params=BACKENDS)
def make_store(request, tmp_path):
    """make_store(**limits) -> a store of the backend, closed after the test (a second
    call on Redis: a second worker on the same Redis)."""
    made = []
    url = request.getfixturevalue("redis_url") if request.param == "redis" else None

    def make(**kw) -> SessionStore:
        if request.param == "memory":
            store = SessionStore(**kw)
        elif request.param == "sqlite":
            store = SqliteStore(tmp_path / "sessions.db", **kw)
        else:
            kw.pop("clock", None)
            store = RedisStore(url, **kw)
        made.append(store)
        return store

    make.backend = request.param

    yield make
    for store in made:
        store.close()


# ------------------------------------------------------------------ every backend
def test_documents_are_kept_by_kind_and_id_until_they_expire(make_store, monkeypatch):
    store = make_store()
    store.put_document("exercise", "abc", {"goals": [1, 2], "prompt": "中文"}, ttl=60)
    assert store.get_document("exercise", "abc") == {"goals": [1, 2], "prompt": "中文"}
    assert store.get_document("exercise", "nope") is None
    assert store.get_document("class", "abc") is None          # another kind
    store.put_document("exercise", "gone", {}, ttl=-1)          # expired already
    assert store.get_document("exercise", "gone") is None
    monkeypatch.setattr(Limits, "max_documents", 2)
    store.put_document("exercise", "second", {}, ttl=60)
    with pytest.raises(Refused) as full:
        store.put_document("exercise", "third", {}, ttl=60)
    assert full.value.code == "store_full"
    store.put_document("class", "other-kind", {}, ttl=60)       # each kind has its own room


def test_a_full_kind_may_forget_the_document_nearest_its_expiry(make_store, monkeypatch):
    store = make_store()
    monkeypatch.setattr(Limits, "max_documents", 3)
    for doc_id, ttl in [("a", 300), ("soonest", 100), ("c", 200)]:
        store.put_document("dataset", doc_id, {"id": doc_id}, ttl=ttl)
    with pytest.raises(Refused):
        store.put_document("dataset", "new", {}, ttl=300)
    store.put_document("dataset", "c", {"again": True}, ttl=400)   # kept longer: no room needed
    store.put_document("dataset", "new", {"id": "new"}, ttl=300, evict=True)
    assert store.get_document("dataset", "soonest") is None
    assert [store.get_document("dataset", k) for k in ("a", "c", "new")] == [
        {"id": "a"}, {"again": True}, {"id": "new"}]


def test_documents_of_a_kind_are_listed(make_store):
    store = make_store()
    for k in range(5):
        store.put_document("student:ABC", f"s{k}", {"k": k}, ttl=60)
    store.put_document("student:XYZ", "other", {"k": 99}, ttl=60)
    store.put_document("student:ABC", "expired", {"k": -1}, ttl=-1)
    found = store.list_documents("student:ABC", limit=10)
    assert sorted(found) == [(f"s{k}", {"k": k}) for k in range(5)]
    assert len(store.list_documents("student:ABC", limit=3)) == 3
    assert store.list_documents("student:none", limit=3) == []


def test_a_peek_looks_without_using(make_store):
    """A teacher's dashboard looks at a student's session: the same state, its idle time
    not renewed, and the session not taken from the worker serving it."""
    store = make_store()
    a = store.create(SMALL)
    with store.use(a.id) as session:
        session.step(steps=4)
    if make_store.backend != "memory":
        store.flush()
    time.sleep(0.05)
    with store.peek(a.id) as found:
        seen, last_used = found
        assert seen.trainer.step == 4 and abs(last_used - time.time()) < 5
    with store.peek("0" * 32) as found:
        assert found is None
    if make_store.backend == "redis":
        other = make_store()                         # a second worker: no lease taken
        with other.peek(a.id) as found:
            assert found[0].trainer.step == 4 and found[0] is not store.get(a.id)
        assert store.ready(a.id)                     # the first worker still holds it
        with store.use(a.id) as session:
            session.step(steps=1)
        store.flush()
        with other.peek(a.id) as found:              # a new version is read again
            assert found[0].trainer.step == 5


def test_a_peek_does_not_renew_the_idle_time(tmp_path):
    clock = FakeClock()
    store = SessionStore(ttl=100, clock=clock)
    a = store.create(SMALL)
    clock.now += 60
    with store.peek(a.id) as found:
        assert found is not None
    clock.now += 60
    with pytest.raises(UnknownSession):
        store.get(a.id)


def test_create_use_delete(make_store):
    store = make_store()
    a = store.create(SMALL)
    with store.use(a.id) as session:
        session.step(steps=3)
    assert store.get(a.id).trainer.step == 3 and len(store) == 1
    store.delete(a.id)
    for call in (store.get, store.delete):
        with pytest.raises(UnknownSession):
            call(a.id)
    assert len(store) == 0


def test_expiry_and_protected_eviction(make_store):
    if make_store.backend == "redis":
        pytest.skip("Redis expires by its own clock: test_redis_expires_idle_sessions")
    clock = FakeClock()
    store = make_store(ttl=60, capacity=2, clock=clock, protected_idle=30)
    a, b = store.create(SMALL), store.create(SMALL)
    clock.now += 20
    with pytest.raises(Exception, match="most sessions") as refused:
        store.create(SMALL)          # both used in the last 30 s: protected
    assert refused.value.code == "store_full"
    clock.now += 15
    store.get(b.id)
    c = store.create(SMALL)          # a, idle 35 s, made room
    with pytest.raises(UnknownSession):
        store.get(a.id)
    clock.now += 61
    for s in (b, c):
        with pytest.raises(UnknownSession):
            store.get(s.id)


def test_ready_means_at_hand_without_waiting(make_store):
    """`ready`: use() would neither load, wait for a lock nor (Redis) for a lease; the
    work pool runs a cheap job in the event loop only then."""
    store = make_store()
    session = store.create(SMALL)
    with store.use(session.id):
        pass
    assert store.ready(session.id) and not store.ready("no-such-session")
    with store.use(session.id) as held:
        assert not store.ready(session.id)   # its lock is held
        assert held.id == session.id
    assert store.ready(session.id)
    if make_store.backend == "redis":        # another worker's copy is not at hand
        other = make_store()
        assert not other.ready(session.id)


# ------------------------------------------------------------------ stores that keep them
def played(store: SessionStore) -> str:
    session = store.create(Config(optimizer="adam", num_samples=60, batch_size=7,
                                  hidden=[{"units": 3, "activation": "prelu", "dropout": 0.2}]))
    with store.use(session.id) as s:
        s.step(steps=12)             # mid-epoch, Adam state, PReLU slopes, dropout draws
        s.set_weight(0, 1, 2, 0.75)
    return session.id


def test_a_session_not_loaded_yet_is_not_ready(tmp_path):
    store = SqliteStore(tmp_path / "s.db")
    sid = store.create(SMALL).id
    store.close()
    again = SqliteStore(tmp_path / "s.db")
    try:
        assert not again.ready(sid)           # only its index entry: use() would load it
        with again.use(sid):
            pass
        assert again.ready(sid)
    finally:
        again.close()


def test_a_restart_brings_back_every_session_exactly(tmp_path):
    path = tmp_path / "sessions.db"
    store = SqliteStore(path)
    sid = played(store)
    gone = store.create(SMALL).id
    store.delete(gone)
    kept = store.get(sid)
    store.close()
    again = SqliteStore(path)
    try:
        used = again._sessions[sid][1]
        with again.peek(sid) as (looked, _):        # a dashboard may look first
            assert_same_state(kept, looked)
        assert again._sessions[sid][1] == used       # and that was no use
        copy = again.get(sid)
        assert copy is not kept and len(again) == 1
        assert_same_state(kept, copy)
        with pytest.raises(UnknownSession):
            again.get(gone)
        for s in (kept, copy):
            s.step(steps=20)
        assert_same_state(kept, copy)
    finally:
        again.close()


def test_a_change_is_written_within_a_second_without_closing(tmp_path):
    path = tmp_path / "sessions.db"
    store = SqliteStore(path)
    try:
        sid = played(store)
        time.sleep(1.0)
        with sqlite3.connect(path) as db:     # what a crash now would leave
            (blob,) = db.execute("SELECT record FROM sessions WHERE id = ?", (sid,)).fetchone()
        assert_same_state(store.get(sid), from_record(blob))
    finally:
        store.close()


def test_a_session_idle_past_its_ttl_before_a_restart_is_gone(tmp_path):
    clock = FakeClock()
    store = SqliteStore(tmp_path / "s.db", ttl=60, clock=clock)
    sid = store.create(SMALL).id
    store.close()
    clock.now += 61
    again = SqliteStore(tmp_path / "s.db", ttl=60, clock=clock)
    try:
        with pytest.raises(UnknownSession):
            again.get(sid)
    finally:
        again.close()


def test_a_document_is_written_at_once_and_survives_a_restart(tmp_path):
    store = SqliteStore(tmp_path / "s.db")
    store.put_document("exercise", "abc", {"prompt": "x"}, ttl=60)
    store.close()
    again = SqliteStore(tmp_path / "s.db")
    try:
        assert again.get_document("exercise", "abc") == {"prompt": "x"}
    finally:
        again.close()


def test_one_process_a_file(tmp_path):
    store = SqliteStore(tmp_path / "s.db")
    try:
        with pytest.raises(StoreInUse, match="redis://"):
            SqliteStore(tmp_path / "s.db")
    finally:
        store.close()
    SqliteStore(tmp_path / "s.db").close()        # free again once closed


def test_an_unreadable_record_is_dropped_not_half_loaded(tmp_path):
    path = tmp_path / "s.db"
    store = SqliteStore(path)
    sid = store.create(SMALL).id
    store.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE sessions SET record = ? WHERE id = ?", (b"garbage", sid))
    again = SqliteStore(path)
    try:
        with pytest.raises(UnknownSession):
            again.get(sid)
        assert len(again) == 0
    finally:
        again.close()


# ------------------------------------------------------------------ Redis: several workers
def test_redis_round_trip_through_another_worker(redis_url):
    one, two = RedisStore(redis_url), RedisStore(redis_url)
    try:
        sid = played(one)
        kept = one.get(sid)
        with two.use(sid) as copy:      # worker two asks; one writes it and hands it over
            assert_same_state(kept, copy)
            copy.step(steps=5)
        with one.use(sid) as again:     # back on one: two's steps, not one's stale copy
            assert again is not kept and again.trainer.step == 12 + 5
    finally:
        one.close()
        two.close()


def test_redis_one_worker_at_a_time_and_a_busy_session_is_refused(redis_url):
    one, two = RedisStore(redis_url), RedisStore(redis_url)
    try:
        sid = one.create(SMALL).id
        with one.use(sid):
            started = time.monotonic()
            with pytest.raises(Exception) as refused, two.use(sid, wait=0.3):
                pass
            assert refused.value.code == "busy" and time.monotonic() - started < 1.0
        # wanted: one hands it over at its next round, without being idle first
        with two.use(sid, wait=2.0) as session:
            session.step(steps=1)
    finally:
        one.close()
        two.close()


def test_redis_a_write_over_a_stale_copy_is_refused(redis_url):
    one, two = RedisStore(redis_url, flush_interval=60), RedisStore(redis_url, flush_interval=60)
    try:
        sid = one.create(SMALL).id
        hot = one._hot[sid]
        with one.use(sid) as s:
            s.step(steps=2)
        one.redis.delete(one._key("lease", sid))       # as if one's lease had lapsed
        with two.use(sid) as s:
            s.step(steps=3)
        two.flush()                                    # two's 3 steps are stored
        one.flush()                                    # one's 2 steps, over version 1: refused
        assert sid not in one._hot
        with two.use(sid) as s:
            assert s.trainer.step == 3
        assert hot.version == 1
    finally:
        one.close()
        two.close()


def test_redis_a_playing_session_is_written_about_every_second(redis_url):
    """A session changed every frame is written within a second (as SQLite), not every
    flusher round: writing MAX's record 4 times a second for 30 students cost a tenth of
    a core."""
    store = RedisStore(redis_url)
    try:
        sid = store.create(SMALL).id
        key = store._key("session", sid)
        versions, until = [], time.monotonic() + 2.6
        while time.monotonic() < until:
            with store.use(sid) as session:
                session.step(steps=1)
            versions.append(int(store.redis.hget(key, "version")))
            time.sleep(0.02)
        writes = versions[-1] - versions[0]
        assert 2 <= writes <= 4                    # every 0.75 to 1 s, not every 0.25 s
        stored = from_record(store.redis.hget(key, "record"))
        assert stored.trainer.step >= len(versions) - 60   # at most ~1 s of frames behind
    finally:
        store.close()


def stop_renewing(store: RedisStore) -> None:
    store._stop.set()
    store._flusher.join()


def test_redis_frees_a_dead_workers_lease(redis_url):
    from playground.service import redis_store
    one, two = RedisStore(redis_url), RedisStore(redis_url)
    try:
        sid = one.create(SMALL).id
        stop_renewing(one)              # one "dies": its lease lapses
        started = time.monotonic()
        with two.use(sid, wait=redis_store.LEASE_MS / 1000 + 1):
            assert time.monotonic() - started < redis_store.LEASE_MS / 1000 + 0.5
    finally:
        one.close()
        two.close()


def test_redis_expires_idle_sessions(redis_url):
    store = RedisStore(redis_url, ttl=1.0)
    try:
        sid = store.create(SMALL).id
        stop_renewing(store)
        time.sleep(1.3)
        store._hot.clear()
        with pytest.raises(UnknownSession):
            store.get(sid)
        assert len(store) == 0
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_session_on_own_data_comes_back_through_a_restart_or_another_worker(
        backend, tmp_path, request):
    url = request.getfixturevalue("redis_url") if backend == "redis" else None
    open_store = (lambda: SqliteStore(tmp_path / "s.db")) if url is None \
        else (lambda: RedisStore(url))
    store = open_store()
    points = [[x / 3 - 4, (x * 7 % 11) - 5, x % 2] for x in range(24)]
    dataset = own_data.save(store, own_data.from_points(points))
    sid = store.create(Config(dataset=dataset.dataset, noise=20, hidden=[])).id
    with store.use(sid) as kept:
        kept.step(steps=9)
    store.close()
    again = open_store()
    try:
        with again.use(sid) as back:        # its data found in the store again
            assert back is not kept and back.config.dataset == dataset.dataset
            assert_same_state(kept, back, optimizer_state=False)   # SGD keeps none
            assert back.trainer.step == 9
    finally:
        again.close()


def test_a_session_whose_own_data_is_gone_is_dropped_whole(tmp_path):
    store = SqliteStore(tmp_path / "s.db")
    dataset = own_data.save(store, own_data.from_points([[0, 0, 0], [1, 1, 1], [2, 2, 1]]))
    sid = store.create(Config(dataset=dataset.dataset)).id
    store.close()
    with sqlite3.connect(tmp_path / "s.db") as db:
        db.execute("DELETE FROM documents")
    again = SqliteStore(tmp_path / "s.db")
    try:
        with pytest.raises(UnknownSession):
            again.get(sid)
    finally:
        again.close()

