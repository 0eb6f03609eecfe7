"""Shared fixtures of the HTTP tests: a fresh store and app per test, driven through
FastAPI's TestClient (used as a context manager, so the app's lifespan runs)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from playground.service.store import SessionStore
from playground.web.app import create_app


@pytest.fixture
def store() -> SessionStore:
    return SessionStore()


@pytest.fixture
def client(store: SessionStore):
    with TestClient(create_app(store)) as test_client:
        yield test_client


@pytest.fixture
def new_session(client: TestClient):
    """Create a session through the API; returns its snapshot (the 201 answer)."""

    def create(**config) -> dict:
        response = client.post("/api/sessions", json=config)
        assert response.status_code == 201, response.text
        return response.json()

    return create


@pytest.fixture(scope="session")
def redis_server():
    """One Redis for the whole run (tests/redis_support.py)."""
    from .redis_support import RedisServer
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server) -> str:
    """An empty Redis database for this test."""
    redis_server.flush()
    return redis_server.url
