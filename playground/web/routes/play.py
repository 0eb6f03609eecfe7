"""The play loop: one frame (train, then the snapshot and the heatmaps) per POST /frame,
or per message over one WebSocket a session."""

from __future__ import annotations

import json

from fastapi import APIRouter, FastAPI, Response, WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from ...service.config import Limits
from ...service.errors import Refused, UnknownSession, echoed_errors, validation_refused
from ...service.sessions import Session
from ..binary_frame import FrameMemory, pack
from ..deps import ERRORS, Work, refusal_body
from ..schemas import Frame, FrameRequest, Snapshot

router = APIRouter(prefix="/api", responses=ERRORS)
NO_PARAMS = {"weights": [], "biases": [], "prelu_slopes": [],   # a binary frame's are bytes
             "bn_gamma": [], "bn_beta": [], "bn_mean": [], "bn_var": []}


@router.post("/sessions/{session_id}/frame", response_model=Frame,
             response_model_exclude_none=True)
async def frame(body: FrameRequest, work: Work) -> Response:
    """Train, then answer the snapshot and the heatmaps at once: one play-loop frame."""
    return Response(await work(lambda s: frame_json(s, body), frame_kind(body)),
                    media_type="application/json")


def frame_kind(body: FrameRequest) -> tuple:
    """What a frame's cost depends on (the work pool runs a cheap kind inline)."""
    return ("frame", body.binary, body.steps, body.epochs, body.resolution,
            body.node_resolution, body.nodes, body.history_since is None,
            None if body.node_ids is None else len(body.node_ids))


def frame_json(session: Session, body: FrameRequest) -> str:
    """One frame as JSON (the session's lock held by the caller)."""
    session.step(steps=body.steps, epochs=body.epochs)
    answer = Frame(snapshot=session.snapshot(body.history_since),
                   heatmaps=session.heatmaps(body.resolution, "u8", body.node_resolution,
                                             nodes=body.nodes, node_ids=body.node_ids))
    # exclude_unset, not exclude_none: required fields may be null (the input layer's
    # activation, a regression's classes, a diverged loss) and must stay in the answer
    return answer.model_dump_json(exclude_unset=True)


def frame_binary(session: Session, body: FrameRequest, memory: FrameMemory) -> bytes:
    """One frame as the play socket's binary message (binary_frame.py): grids as bytes,
    and what did not change since the socket's previous frame left out."""
    session.step(steps=body.steps, epochs=body.epochs)
    snapshot = Snapshot.model_validate({**session.snapshot(body.history_since, params=False),
                                        **NO_PARAMS}).model_dump(
        mode="json", exclude_unset=True, exclude=set(NO_PARAMS))
    heatmaps = session.heatmaps(body.resolution, "u8block", body.node_resolution, nodes=body.nodes,
                                node_ids=body.node_ids)
    net = session.net
    return pack(snapshot, heatmaps, memory, body.nodes,
                {"weights": net.weights, "biases": net.biases, "prelu_slopes": net.slopes,
                 "bn_gamma": net.gammas, "bn_beta": net.betas, "bn_mean": net.bn_mean,
                 "bn_var": net.bn_var})


@router.websocket("/sessions/{session_id}/play")
async def play(websocket: WebSocket, session_id: str) -> None:
    """The play loop over one WebSocket: each message is a FrameRequest, each answer a
    Frame, or {"error": {"status", "message", "code", "params", "detail", "allowed"}} for
    a refusal (the error body of HTTP, plus its status: e.g. 429 busy, a binary message
    binary_frame); the socket stays open after a refusal. The client sends the next
    request after drawing the last answer, as with POST /frame; a browser's fetch costs
    ~10 ms of its own per request on a small machine, a message ~1 ms."""
    await websocket.accept()
    memory = FrameMemory()   # what this socket's last binary frame said
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            answer = await play_frame(websocket.app, session_id, message.get("text"), memory)
            if isinstance(answer, bytes):
                await websocket.send_bytes(answer)
            else:
                await websocket.send_text(answer)
    except WebSocketDisconnect:
        return


async def play_frame(app: FastAPI, session_id: str, text: str | None,
                     memory: FrameMemory | None = None) -> str | bytes:
    """One WebSocket message answered like POST /frame: the frame (JSON, or binary when
    asked for), or the refusal (always JSON)."""
    try:
        body = frame_request(text)
        if body.binary and memory is not None:
            return await app.state.pool.on_session(app.state.store, session_id,
                                                   lambda s: frame_binary(s, body, memory),
                                                   kind=frame_kind(body))
        return await app.state.pool.on_session(app.state.store, session_id,
                                               lambda s: frame_json(s, body),
                                               kind=frame_kind(body))
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        refused = validation_refused(errors, FrameRequest, echoed_errors(errors))
    except UnknownSession as exc:
        refused = exc.refused()
    except Refused as exc:
        refused = exc
    return json.dumps({"error": {"status": refused.status, **refusal_body(refused)}})


def frame_request(text: str | None) -> FrameRequest:
    """A message's FrameRequest; a binary or oversized message is refused."""
    if text is None:
        raise Refused("a frame request is a JSON text message, not a binary one",
                      "binary_frame", status=400)
    if len(text) > Limits.max_body_bytes:
        raise Refused(f"a message may be at most {Limits.max_body_bytes} bytes",
                      "body_too_large", {"max": Limits.max_body_bytes}, status=413)
    return FrameRequest.model_validate_json(text)
