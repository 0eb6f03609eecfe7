"""Sessions for a whole class on one store (API.md 6.1): creation limited per client
address (429 too_many_sessions, Retry-After), dataset uploads likewise on a budget of
their own (429 too_many_uploads), and no eviction of a session used in the
last 30 minutes (503 store_full when the store is full of them), with a fake clock."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from playground.service.errors import Refused
from playground.service.ratelimit import CreationLimiter, upload_limiter
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


def test_dataset_uploads_are_limited_per_address_on_their_own_budget():
    clock = Clock()
    app = create_app(SessionStore(), limiter=CreationLimiter(per_minute=2, clock=clock),
                     uploads=CreationLimiter(per_minute=3, clock=clock, what="dataset uploads",
                                             code="too_many_uploads"))
    csv = {"content-type": "text/csv"}
    with TestClient(app) as a, TestClient(app, client=("10.0.0.2", 5000)) as b:
        made = [a.post("/api/datasets", content=f"{k},0,1\n0,{k},0\n", headers=csv)
                for k in range(3)]
        assert [m.status_code for m in made] == [201] * 3
        clock.now += 15
        refused_ = a.post("/api/datasets", content="1,1,1\n2,2,0\n", headers=csv)
        assert refused_.status_code == 429 and refused_.headers["retry-after"] == "45"
        assert error_body(refused_.json(), "too_many_uploads")["params"] == {
            "max": 3, "retry_after": 45}
        assert b.post("/api/datasets", content="1,1,1\n2,2,0\n", headers=csv).status_code == 201
        # sessions have their own budget: the uploads took none of it
        assert [a.post(API, headers=JSON).status_code for _ in range(2)] == [201] * 2
        clock.now += 45
        assert a.post("/api/datasets", content="1,1,1\n2,2,0\n", headers=csv).status_code == 201


def test_the_default_upload_limit_is_30_a_minute():
    limiter = upload_limiter(clock=Clock())
    for _ in range(30):
        limiter.admit("10.0.0.3")
    with pytest.raises(Refused) as refused_:
        limiter.admit("10.0.0.3")
    assert refused_.value.code == "too_many_uploads" and refused_.value.status == 429


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
