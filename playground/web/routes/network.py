"""The network's parameters and structure: all parameters at once, one weight, one bias,
hidden layers and their neurons."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ..deps import ERRORS, Locked, snapshot_of
from ..schemas import BiasEdit, LayerInsert, NeuronAdd, Params, Snapshot, WeightEdit

router = APIRouter(prefix="/api", responses=ERRORS)


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
