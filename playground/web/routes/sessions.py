"""A session's life: create, read, delete, change its config, train it, reset it."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from ...service.config import Config, ConfigPatch
from ..deps import ERRORS, Pool, Read, Store, Work, admit_creation, snapshot_of
from ..schemas import ResetRequest, Snapshot, StepRequest

router = APIRouter(prefix="/api", responses=ERRORS)


@router.post("/sessions", response_model=Snapshot, status_code=status.HTTP_201_CREATED)
async def create_session(request: Request, store: Store, pool: Pool,
                         config: Config | None = None) -> Response:
    """Start a playground; every config field is optional (429 too_many_sessions past
    limits.sessions_per_minute from one address, 503 store_full)."""
    admit_creation(request)

    def create() -> Response:
        session = store.create(config or Config())
        with session.lock:  # nobody knows its id yet: never waits
            return snapshot_of(session, status.HTTP_201_CREATED)
    return await pool.run(create)


@router.get("/sessions/{session_id}", response_model=Snapshot)
async def read_session(read: Read) -> Response:
    """The session's current state."""
    return await read(snapshot_of, kind="snapshot")


@router.delete("/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response)
async def delete_session(session_id: str, store: Store, pool: Pool) -> Response:
    """Forget the session."""
    await pool.run(lambda: store.delete(session_id), "light")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.patch("/sessions/{session_id}/config", response_model=Snapshot)
async def patch_config(patch: ConfigPatch, work: Work) -> Response:
    """Change settings: hyper-parameters keep the weights; data, features and structure
    rebuild only what they must, and `rebuilt` in the answer says what that was."""
    return await work(lambda s: snapshot_of(s, rebuilt=s.patch_config(patch)))


@router.post("/sessions/{session_id}/step", response_model=Snapshot)
async def step(body: StepRequest, work: Work) -> Response:
    """Train for a number of optimizer steps or of epochs (at most
    snapshot.max_steps_per_call / max_epochs_per_call: 422 too_much_work beyond)."""
    return await work.edit(lambda s: s.step(steps=body.steps, epochs=body.epochs))


@router.post("/sessions/{session_id}/reset", response_model=Snapshot)
async def reset(work: Work, body: ResetRequest | None = None) -> Response:
    """New weights from the seed (the same seed gives the same weights), step 0."""
    return await work.edit(lambda s: s.reset(body.seed if body else None))
