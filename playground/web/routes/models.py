"""Models you keep (API.md 6.4): a session as a model file and back, a trained network
shared by a link, and the network as a script for NumPy, PyTorch or Keras."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from ...engine.export import FORMATS
from ...service import model_file, scripts, shares
from ...service.model_file import ModelFile
from ..deps import ERRORS, Pool, Read, Store, Work, admit_creation, answer, snapshot_of
from ..schemas import Snapshot

router = APIRouter(prefix="/api", responses=ERRORS)

ScriptFormat = Literal[FORMATS]  # type: ignore[valid-type]


class Shared(BaseModel):
    share_id: str
    link: str


def attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/sessions/{session_id}/model", response_model=ModelFile)
async def download_model(read: Read) -> Response:
    """The playground as a model file: config, parameters, optimizer state, step and the
    batch order, so that a loaded copy trains on identically (409 model_not_finite)."""
    def write(session) -> Response:
        return attachment(answer(ModelFile, model_file.model_file(session), exclude_none=True),
                          model_file.filename(session))
    return await read(write)


@router.post("/sessions/model", response_model=Snapshot, status_code=status.HTTP_201_CREATED)
async def load_model(body: ModelFile, request: Request, store: Store, pool: Pool) -> Response:
    """A new playground from a model file, identical to the one saved (a part that does
    not fit its config: params_shape, model_state, model_data_differs)."""
    admit_creation(request)

    def create() -> Response:
        model_file.own_data_of(store, body)
        session = store.create(body.config, start=lambda s: model_file.load(s, body))
        with session.lock:  # nobody knows its id yet: never waits
            return snapshot_of(session, status.HTTP_201_CREATED)
    return await pool.run(create)


@router.post("/sessions/{session_id}/share", response_model=Shared,
             status_code=status.HTTP_201_CREATED)
async def share(request: Request, read: Read, store: Store) -> dict:
    """Freeze the trained network under an id; its link opens a new playground equal to
    it (kept limits.share_days days)."""
    admit_creation(request)
    share_id = await read(lambda session: shares.share(store, session))
    return {"share_id": share_id, "link": shares.link(share_id)}


@router.get("/shares/{share_id}", response_model=ModelFile)
async def read_share(share_id: str, store: Store, pool: Pool) -> Response:
    """A shared network's model file (404 unknown_share); POST it to /sessions/model."""
    body = await pool.run(lambda: shares.find(store, share_id), "light")
    return answer(ModelFile, body, exclude_none=True)


@router.get("/sessions/{session_id}/export", response_class=Response,
            responses={200: {"content": {"text/x-python": {}},
                             "description": "a runnable Python script"}})
async def export(work: Work, format: ScriptFormat = "numpy") -> Response:
    """The network as a runnable script: the data, features, architecture, head and loss,
    optimizer, the current parameters and a training loop; it prints the predictions for
    PREDICT_POINTS."""
    text = await work(lambda session: scripts.export(session, format))
    return attachment(Response(text, media_type="text/x-python; charset=utf-8"),
                      scripts.filename(format))
