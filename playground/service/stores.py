"""Which store a URL names (API.md 6.2): `memory://`, `sqlite:///path/to/file.db`, or
`redis://host:port/db`."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

from .store import SessionStore

SCHEMES = ("memory", "sqlite", "redis")


class BadStoreUrl(ValueError):
    pass


def embedded_url(data_dir: str | Path) -> str:
    """The embedded default: a SQLite file in the data directory."""
    return f"sqlite:///{Path(data_dir).expanduser().resolve() / 'sessions.db'}"


def open_store(url: str) -> SessionStore:
    """The store `url` names, with the idle timeout and capacity of the environment
    (PLAYGROUND_SESSION_TTL, PLAYGROUND_MAX_SESSIONS)."""
    scheme = urlparse(url).scheme
    limits = {"ttl": float(os.environ.get("PLAYGROUND_SESSION_TTL", 3600)),
              "capacity": int(os.environ.get("PLAYGROUND_MAX_SESSIONS", 1000))}
    if scheme == "memory":
        return SessionStore(**limits)
    if scheme == "sqlite":
        from .sqlite_store import SqliteStore
        path = url[len("sqlite://"):]
        if not path.startswith("/") or len(path) < 2:
            raise BadStoreUrl(f"{url!r}: write sqlite:///absolute/path/to/file.db")
        return SqliteStore(path, **limits)
    if scheme == "redis":
        from .redis_store import RedisStore
        return RedisStore(url, **limits)
    raise BadStoreUrl(f"{url!r}: a store URL starts with one of "
                      + ", ".join(f"{s}://" for s in SCHEMES))
