"""What every router shares: the store and the locked session as dependencies, the
error answers each route documents, the one writer of a JSON answer and the one writer
of a refusal (HTTP answer or play-socket message)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel

from ..service.errors import Refused
from ..service.sessions import Session
from ..service.store import SessionStore
from .schemas import ErrorBody, Snapshot

ERRORS = {code: {"model": ErrorBody} for code in (400, 404, 409, 422)}


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
    "allowed"}."""
    return jsonable_encoder(refused.body(), custom_encoder={float: _finite_or_text,
                                                            ValueError: str})


def get_store(request: Request) -> SessionStore:
    return request.app.state.store


Store = Annotated[SessionStore, Depends(get_store)]


def session_for(session_id: str, store: Store) -> Iterator[Session]:
    """The session named in the path, with its lock held for the whole request."""
    with store.use(session_id) as session:
        yield session


Locked = Annotated[Session, Depends(session_for)]
