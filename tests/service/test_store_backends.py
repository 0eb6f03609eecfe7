"""The store contract on every backend (service/store.py, sqlite_store.py): the same
answers whatever keeps the sessions; and what a store that keeps them adds: an exact
round trip through a restart, writes within a second, one process a file."""

from __future__ import annotations

import sqlite3
import time

import pytest

from playground.service.config import Config
from playground.service.errors import UnknownSession
from playground.service.records import from_record
from playground.service.sqlite_store import SqliteStore, StoreInUse
from playground.service.store import SessionStore

from .test_sessions import assert_same_state
from .test_store import SMALL, FakeClock

BACKENDS = ["memory", "sqlite"]


@pytest.fixture(params=BACKENDS)
def make_store(request, tmp_path):
    """make_store(**limits) -> a store of the backend, closed after the test."""
    made = []

    def make(**kw) -> SessionStore:
        if request.param == "memory":
            store = SessionStore(**kw)
        else:
            store = SqliteStore(tmp_path / "sessions.db", **kw)
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


# ------------------------------------------------------------------ every backend
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


# ------------------------------------------------------------------ stores that keep them
def played(store: SessionStore) -> str:
    session = store.create(Config(optimizer="adam", num_samples=60, batch_size=7,
                                  hidden=[{"units": 3, "activation": "prelu", "dropout": 0.2}]))
    with store.use(session.id) as s:
        s.step(steps=12)             # mid-epoch, Adam state, PReLU slopes, dropout draws
        s.set_weight(0, 1, 2, 0.75)
    return session.id


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
