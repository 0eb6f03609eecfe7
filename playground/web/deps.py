"""What every router shares: the store and the locked session as dependencies, the
error answers each route documents, and the one writer of a JSON answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request, Response
from pydantic import BaseModel

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


def snapshot_of(session: Session, status_code: int = 200) -> Response:
    return answer(Snapshot, session.snapshot(), status_code)


def get_store(request: Request) -> SessionStore:
    return request.app.state.store


Store = Annotated[SessionStore, Depends(get_store)]


def session_for(session_id: str, store: Store) -> Iterator[Session]:
    """The session named in the path, with its lock held for the whole request."""
    with store.use(session_id) as session:
        yield session


Locked = Annotated[Session, Depends(session_for)]
