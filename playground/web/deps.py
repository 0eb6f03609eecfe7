"""What every router shares: the store, the work pool and a session's work as
dependencies, the error answers each route documents, the one writer of a JSON answer and
the one writer of a refusal (HTTP answer or play-socket message)."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from typing import Annotated, TypeVar

from fastapi import Depends, Request, Response
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel

from ..service.errors import Refused, writable
from ..service.sessions import Session
from ..service.store import SessionStore
from .executor import Lane, WorkPool
from .schemas import ErrorBody, Snapshot

T = TypeVar("T")

# every answer a route may give besides its own: bad input, an unknown session, a conflict,
# a body too large or not JSON, a busy session or server (429, 503: Retry-After)
ERRORS = {code: {"model": ErrorBody} for code in (400, 404, 409, 413, 415, 422, 429, 503)}


def answer(model: type[BaseModel], data: dict, status_code: int = 200, **dump) -> Response:
    """Validate `data` against the route's model and write it with pydantic's own JSON
    writer: one pass, where FastAPI's default (to Python objects, then json.dumps) took
    about 3x longer for a 100 KB snapshot. The route keeps `response_model` for OpenAPI."""
    body = model.model_validate(data).model_dump_json(**dump)
    return Response(body, status_code=status_code, media_type="application/json")


def snapshot_of(session: Session, status_code: int = 200, **extra: object) -> Response:
    """The session's snapshot, with `extra` fields (e.g. what a config change rebuilt)."""
    return answer(Snapshot, session.snapshot() | extra, status_code)


def _finite_or_text(x: float) -> float | str:
    """A refused body may hold NaN or an infinity (`1e400` parses as inf): echoed back in
    `detail` as text, since JSON has no such numbers (and the JSON writer would fail)."""
    return x if math.isfinite(x) else repr(x)


def refusal_body(refused: Refused) -> dict:
    """The error body of a refusal, JSON-safe: {"message", "code", "params", "detail",
    "allowed"} (no NaN, no lone surrogate)."""
    return _writable(jsonable_encoder(refused.body(), custom_encoder={float: _finite_or_text,
                                                                      ValueError: str}))


def _writable(value: object) -> object:
    if isinstance(value, str):
        return writable(value)
    if isinstance(value, dict):
        return {_writable(k): _writable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_writable(v) for v in value]
    return value


async def get_store(request: Request) -> SessionStore:
    return request.app.state.store


async def get_pool(request: Request) -> WorkPool:
    return request.app.state.pool


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def admit_creation(request: Request) -> None:
    """Count a new session for the client's address, or refuse it (service/ratelimit.py)."""
    request.app.state.limiter.admit(_address(request))


def admit_upload(request: Request) -> None:
    """Count an uploaded dataset for the client's address, or refuse it (429
    too_many_uploads)."""
    request.app.state.uploads.admit(_address(request))


Store = Annotated[SessionStore, Depends(get_store)]
Pool = Annotated[WorkPool, Depends(get_pool)]


class SessionWork:
    """Runs a function of the session named in the path on the work pool (executor.py):
    its turn taken at the session's gate, its lock held by the thread that runs it."""

    def __init__(self, pool: WorkPool, store: SessionStore, session_id: str,
                 lane: Lane) -> None:
        self.pool, self.store, self.session_id, self.lane = pool, store, session_id, lane

    async def __call__(self, fn: Callable[[Session], T], kind: Hashable | None = None) -> T:
        """fn(session)'s answer; `kind` as in WorkPool.on_session."""
        return await self.pool.on_session(self.store, self.session_id, fn, self.lane, kind)

    async def edit(self, change: Callable[[Session], object]) -> Response:
        """change(session), then the session's snapshot."""
        def run(session: Session) -> Response:
            change(session)
            return snapshot_of(session)
        return await self(run)


def work_on(lane: Lane) -> Callable[..., SessionWork]:
    async def dependency(session_id: str, pool: Pool, store: Store) -> SessionWork:
        return SessionWork(pool, store, session_id, lane)  # async: no thread to make it
    return dependency


# what computes (trains, evaluates, edits) runs on the cpu lane; what only writes out
# what is already computed, on the light lane (executor.py says why)
Work = Annotated[SessionWork, Depends(work_on("cpu"))]
Read = Annotated[SessionWork, Depends(work_on("light"))]
