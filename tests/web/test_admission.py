"""Sessions for a whole class on one store (API.md 6.1): creation limited per client
address (429 too_many_sessions, Retry-After), and no eviction of a session used in the
last 30 minutes (503 store_full when the store is full of them), with a fake clock."""

from __future__ import annotations

from fastapi.testclient import TestClient

from playground.service.ratelimit import CreationLimiter
from playground.service.store import SessionStore
from playground.web.app import create_app

from .api_support import API, JSON, error_body


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_session_creation_is_limited_per_address():
    clock = Clock()
    app = create_app(SessionStore(), limiter=CreationLimiter(per_minute=3, clock=clock))
    with TestClient(app) as a, TestClient(app, client=("10.0.0.2", 5000)) as b:
        assert [a.post(API, headers=JSON).status_code for _ in range(3)] == [201] * 3
        clock.now += 20
        refused_ = a.post(API, headers=JSON)
        assert refused_.status_code == 429 and refused_.headers["retry-after"] == "40"
        assert error_body(refused_.json(), "too_many_sessions")["params"] == {
            "max": 3, "retry_after": 40}
        assert b.post(API, headers=JSON).status_code == 201  # another address
        clock.now += 40  # the first three are a minute old
        assert a.post(API, headers=JSON).status_code == 201


def test_sessions_used_in_the_last_30_minutes_are_never_evicted():
    clock = Clock()
    store = SessionStore(capacity=2, clock=clock)
    with TestClient(create_app(store)) as client:
        first, second = (client.post(API, headers=JSON).json()["id"] for _ in range(2))
        clock.now += 1000
        assert client.get(f"{API}/{first}").status_code == 200  # first used at 1000 s
        clock.now += 700  # second idle 1700 s, first 700 s: both protected
        full = client.post(API, headers=JSON)
        assert full.status_code == 503 and full.headers["retry-after"] == "100"
        assert error_body(full.json(), "store_full")["params"] == {"retry_after": 100}
        clock.now += 101  # second idle 1801 s: it may go, first may not
        third = client.post(API, headers=JSON)
        assert third.status_code == 201
        assert client.get(f"{API}/{second}").status_code == 404
        assert client.get(f"{API}/{first}").status_code == 200
        assert client.get(f"{API}/{third.json()['id']}").status_code == 200
