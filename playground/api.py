"""The JSON API: each route parses, finds the session, calls it, returns its answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import (
    APIRouter, Depends, Query, Request, Response, WebSocket, WebSocketDisconnect, status,
)
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ValidationError

from .engine.activations import ACTIVATIONS
from .engine.datasets import DATASETS
from .engine.features import FEATURES
from .engine.heads import HEADS
from .engine.initializers import INITIALIZERS
from .engine.optimizers import OPTIMIZERS
from .engine.regularizers import REGULARIZERS
from .schemas import (
    BiasEdit, Catalog, DataResponse, ErrorBody, ExampleStep, Frame, FrameRequest, Heatmaps, LayerInsert, NeuronAdd, Params,
    ResetRequest, Snapshot, StepRequest, Trace, TraceRequest, WeightEdit,
)
from .service.config import Config, ConfigPatch, Limits, default_head
from .service.errors import Refused, UnknownSession, validation_summary
from .service.sessions import Session
from .service.store import SessionStore

ERRORS = {code: {"model": ErrorBody} for code in (400, 404, 409, 422)}
router = APIRouter(prefix="/api", responses=ERRORS)


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


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness check."""
    return {"status": "ok"}


@router.get("/catalog", response_model=Catalog)
def catalog() -> dict:
    """Every id the API accepts, with display names, formulas and the limits."""
    def rows(table):
        return [{"id": r.id, "name": r.name, "formula": getattr(r, "formula", None)}
                for r in table.values()]

    datasets = [{"id": d.id, "name": d.name, "kind": d.kind, "default_head": default_head(d.kind),
                 "heads": [h for h, row in HEADS.items() if d.kind in row.kinds]}
                for d in DATASETS.values()]
    heads = [{"id": h.id, "name": h.name, "formula": h.formula, "loss": h.loss_name,
              "loss_formula": h.loss_formula, "kinds": list(h.kinds)} for h in HEADS.values()]
    limits = {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(Limits).items()
              if not k.startswith("_")}
    return {"datasets": datasets, "activations": rows(ACTIVATIONS), "heads": heads,
            "optimizers": rows(OPTIMIZERS), "regularizers": rows(REGULARIZERS),
            "initializers": rows(INITIALIZERS), "features": rows(FEATURES), "limits": limits,
            "defaults": Config()}


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
    rebuild only what they must."""
    session.patch_config(patch)
    return snapshot_of(session)


@router.post("/sessions/{session_id}/step", response_model=Snapshot)
def step(body: StepRequest, session: Locked) -> Response:
    """Train for a number of optimizer steps or of epochs."""
    session.step(steps=body.steps, epochs=body.epochs)
    return snapshot_of(session)


@router.post("/sessions/{session_id}/frame", response_model=Frame,
             response_model_exclude_none=True)
def frame(body: FrameRequest, session: Locked) -> Response:
    """Train, then answer the snapshot and the heatmaps at once: one play-loop frame."""
    return Response(frame_json(session, body), media_type="application/json")


def frame_json(session: Session, body: FrameRequest) -> str:
    """One frame as JSON (the session's lock held by the caller)."""
    session.step(steps=body.steps, epochs=body.epochs)
    answer = Frame(snapshot=session.snapshot(body.history_since),
                   heatmaps=session.heatmaps(body.resolution, "u8", body.node_resolution))
    # exclude_unset, not exclude_none: required fields may be null (the input layer's
    # activation, a regression's classes, a diverged loss) and must stay in the answer
    return answer.model_dump_json(exclude_unset=True)


@router.websocket("/sessions/{session_id}/play")
async def play(websocket: WebSocket, session_id: str) -> None:
    """The play loop over one WebSocket: each message is a FrameRequest, each answer a
    Frame, or {"error": {"status", "message", "detail"}} for a refusal. The client sends
    the next request after drawing the last answer, as with POST /frame; a browser's
    fetch costs ~10 ms of its own per request on a small machine, a message ~1 ms."""
    store: SessionStore = websocket.app.state.store
    await websocket.accept()
    try:
        while True:
            text = await websocket.receive_text()
            await websocket.send_text(await run_in_threadpool(play_frame, store, session_id, text))
    except WebSocketDisconnect:
        return


def play_frame(store: SessionStore, session_id: str, text: str) -> str:
    """One WebSocket frame: validated, refused or answered like POST /frame."""
    try:
        body = FrameRequest.model_validate_json(text)
        with store.use(session_id) as session:
            return frame_json(session, body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        return json.dumps({"error": {"status": 422, "message": validation_summary(errors),
                                     "detail": errors}})
    except UnknownSession:
        return json.dumps({"error": {"status": 404, "message": f"unknown session {session_id!r}: "
                                     "create one with POST /api/sessions"}})
    except Refused as exc:
        return json.dumps({"error": {"status": exc.status, "message": exc.message,
                                     "allowed": exc.allowed}})


@router.post("/sessions/{session_id}/reset", response_model=Snapshot)
def reset(session: Locked, body: ResetRequest | None = None) -> Response:
    """New weights from the seed (the same seed gives the same weights), step 0."""
    session.reset(body.seed if body else None)
    return snapshot_of(session)


@router.get("/sessions/{session_id}/params", response_model=Params)
def get_params(session: Locked) -> dict:
    """All weights, biases and PReLU slopes."""
    return session.params()


@router.put("/sessions/{session_id}/params", response_model=Snapshot)
def put_params(body: Params, session: Locked) -> Response:
    """Replace all parameters (same shapes, finite values)."""
    session.set_params(body.weights, body.biases, body.prelu_slopes)
    return snapshot_of(session)


@router.patch("/sessions/{session_id}/weight", response_model=Snapshot)
def set_weight(body: WeightEdit, session: Locked) -> Response:
    """Set weights[layer][from][to]."""
    session.set_weight(body.layer, body.from_, body.to, body.value)
    return snapshot_of(session)


@router.patch("/sessions/{session_id}/bias", response_model=Snapshot)
def set_bias(body: BiasEdit, session: Locked) -> Response:
    """Set biases[layer][node]."""
    session.set_bias(body.layer, body.node, body.value)
    return snapshot_of(session)


@router.post("/sessions/{session_id}/layers", response_model=Snapshot)
def insert_layer(body: LayerInsert, session: Locked) -> Response:
    """Insert a hidden layer at `index` (0 = first hidden layer)."""
    session.insert_layer(body.index, body.units, body.activation)
    return snapshot_of(session)


@router.delete("/sessions/{session_id}/layers/{index}", response_model=Snapshot)
def remove_layer(index: int, session: Locked) -> Response:
    """Remove hidden layer `index`."""
    session.remove_layer(index)
    return snapshot_of(session)


@router.post("/sessions/{session_id}/layers/{index}/neurons", response_model=Snapshot)
def add_neurons(index: int, session: Locked, body: NeuronAdd | None = None) -> Response:
    """Add neurons to hidden layer `index`."""
    session.add_neurons(index, body.count if body else 1)
    return snapshot_of(session)


@router.delete("/sessions/{session_id}/layers/{index}/neurons/{node}", response_model=Snapshot)
def remove_neuron(index: int, node: int, session: Locked) -> Response:
    """Remove neuron `node` of hidden layer `index`."""
    session.remove_neuron(index, node)
    return snapshot_of(session)


@router.get("/sessions/{session_id}/data", response_model=DataResponse)
def data(session: Locked) -> Response:
    """The training and test points (raw x1, x2) and labels."""
    return answer(DataResponse, session.data_points())


@router.get("/sessions/{session_id}/heatmaps", response_model=Heatmaps,
            response_model_exclude_none=True)
def heatmaps(
    session: Locked,
    resolution: Annotated[int, Query(ge=2, le=Limits.max_heatmap_resolution)] = 50,
    encoding: Literal["u8", "list"] = "u8",
) -> Response:
    """Output and every node's value over a resolution x resolution grid of the square."""
    return answer(Heatmaps, session.heatmaps(resolution, encoding), exclude_none=True)


@router.post("/sessions/{session_id}/example_step", response_model=Snapshot)
def example_step(body: ExampleStep, session: Locked) -> Response:
    """One plain SGD update on one labelled example (the update the backward trace shows)."""
    session.example_step(body.point, body.label)
    return snapshot_of(session)


@router.post("/sessions/{session_id}/trace", response_model=Trace,
             response_model_exclude_none=True, response_model_by_alias=True)
def trace(body: TraceRequest, session: Locked) -> Response:
    """One point's forward pass node by node; with a label, its backward pass too."""
    return answer(Trace, session.trace(body.point, body.label), exclude_none=True, by_alias=True)
