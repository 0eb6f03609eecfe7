"""The store at unit level (service/store.py): idle expiry and LRU eviction (with a fake
clock), ids, delete, and the session lock held while a session is used."""

from __future__ import annotations

import re

import pytest

from playground.service.config import Config
from playground.service.store import SessionStore


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


SMALL = Config(num_samples=40)


# --------------------------------------------------------------------------- the store
def test_idle_sessions_expire_after_ttl():
    clock = FakeClock()
    store = SessionStore(ttl=60, capacity=10, clock=clock)
    a = store.create(SMALL)
    b = store.create(SMALL)
    clock.now += 50
    assert store.get(a.id) is a  # using a session restarts its idle time
    clock.now += 60  # b idle 110 s, a idle 60 s: exactly the ttl is still alive
    assert store.get(a.id) is a
    with pytest.raises(KeyError):
        store.get(b.id)
    clock.now += 60.5
    with pytest.raises(KeyError):
        store.get(a.id)
    assert len(store) == 0


def test_expired_sessions_are_dropped_when_counting_and_creating():
    clock = FakeClock()
    store = SessionStore(ttl=10, capacity=10, clock=clock)
    for _ in range(3):
        store.create(SMALL)
    assert len(store) == 3
    clock.now += 11
    assert len(store) == 0
    fresh = store.create(SMALL)
    assert len(store) == 1 and store.get(fresh.id) is fresh


def test_least_recently_used_is_evicted_at_capacity():
    clock = FakeClock()
    store = SessionStore(ttl=3600, capacity=3, clock=clock, protected_idle=0)  # see below
    a, b, c = (store.create(SMALL) for _ in range(3))
    clock.now += 1
    store.get(a.id)  # a is now the most recently used; b the least
    with store.use(c.id):
        pass
    d = store.create(SMALL)
    assert len(store) == 3
    with pytest.raises(KeyError):
        store.get(b.id)
    assert {store.get(s.id).id for s in (a, c, d)} == {a.id, c.id, d.id}
    e = store.create(SMALL)  # now a is the least recently used (a, c, d were read in turn)
    with pytest.raises(KeyError):
        store.get(a.id)
    assert store.get(e.id) is e


def test_ids_are_128_random_bits():
    store = SessionStore(capacity=100)
    ids = [store.create(Config(num_samples=10)).id for _ in range(40)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_delete_and_unknown_ids():
    store = SessionStore()
    session = store.create(SMALL)
    store.delete(session.id)
    with pytest.raises(KeyError):
        store.get(session.id)
    with pytest.raises(KeyError):
        store.delete(session.id)
    with pytest.raises(KeyError):
        with store.use("f" * 32):
            pass


def test_use_holds_the_session_lock():
    store = SessionStore()
    session = store.create(SMALL)
    with store.use(session.id) as used:
        assert used is session
        assert not session.lock.acquire(blocking=False)
    assert session.lock.acquire(blocking=False)
    session.lock.release()
