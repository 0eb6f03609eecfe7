"""A session's life: create, read, delete, change its config, train it, reset it."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from ...service.config import Config, ConfigPatch
from ..deps import ERRORS, Locked, Store, snapshot_of
from ..schemas import ResetRequest, Snapshot, StepRequest

router = APIRouter(prefix="/api", responses=ERRORS)


@router.post("/sessions", response_model=Snapshot, status_code=status.HTTP_201_CREATED)
def create_session(store: Store, config: Config | None = None) -> Response:
    """Start a playground; every config field is optional."""
    session = store.create(config or Config())
    with session.lock:
        return snapshot_of(session, status.HTTP_201_CREATED)


@router.get("/sessions/{session_id}", response_model=Snapshot)
def read_session(session: Locked) -> Response:
    """The session's current state."""
    return snapshot_of(session)


@router.delete("/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response)
def delete_session(session_id: str, store: Store) -> Response:
    """Forget the session."""
    store.delete(session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.patch("/sessions/{session_id}/config", response_model=Snapshot)
def patch_config(patch: ConfigPatch, session: Locked) -> Response:
    """Change settings: hyper-parameters keep the weights; data, features and structure
    rebuild only what they must, and `rebuilt` in the answer says what that was."""
    return snapshot_of(session, rebuilt=session.patch_config(patch))


@router.post("/sessions/{session_id}/step", response_model=Snapshot)
def step(body: StepRequest, session: Locked) -> Response:
    """Train for a number of optimizer steps or of epochs."""
    session.step(steps=body.steps, epochs=body.epochs)
    return snapshot_of(session)


@router.post("/sessions/{session_id}/reset", response_model=Snapshot)
def reset(session: Locked, body: ResetRequest | None = None) -> Response:
    """New weights from the seed (the same seed gives the same weights), step 0."""
    session.reset(body.seed if body else None)
    return snapshot_of(session)
