"""The network's parameters and structure: all parameters at once, one weight, one bias,
one PReLU slope, one batch norm value, hidden layers and their neurons."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ..deps import ERRORS, Read, Work, answer
from ..schemas import (BiasEdit, LayerInsert, NeuronAdd, NormEdit, Params, SlopeEdit,
                       Snapshot, WeightEdit)

router = APIRouter(prefix="/api", responses=ERRORS)


@router.get("/sessions/{session_id}/params", response_model=Params)
async def get_params(read: Read) -> Response:
    """All weights, biases, PReLU slopes and batch norm's values."""
    return await read(lambda s: answer(Params, s.params()))


@router.put("/sessions/{session_id}/params", response_model=Snapshot)
async def put_params(body: Params, work: Work) -> Response:
    """Replace all parameters (same shapes, finite values)."""
    return await work.edit(lambda s: s.set_params(body.weights, body.biases, body.prelu_slopes,
                                                  body.batch_norm()))


@router.patch("/sessions/{session_id}/weight", response_model=Snapshot)
async def set_weight(body: WeightEdit, work: Work) -> Response:
    """Set weights[layer][from][to]."""
    return await work.edit(lambda s: s.set_weight(body.layer, body.from_, body.to, body.value))


@router.patch("/sessions/{session_id}/bias", response_model=Snapshot)
async def set_bias(body: BiasEdit, work: Work) -> Response:
    """Set biases[layer][node]."""
    return await work.edit(lambda s: s.set_bias(body.layer, body.node, body.value))


@router.patch("/sessions/{session_id}/slope", response_model=Snapshot)
async def set_slope(body: SlopeEdit, work: Work) -> Response:
    """Set prelu_slopes[layer][node] (`layer` a hidden-layer index; the layer must be PReLU)."""
    return await work.edit(lambda s: s.set_slope(body.layer, body.node, body.value))


@router.patch("/sessions/{session_id}/batch_norm", response_model=Snapshot)
async def set_norm_value(body: NormEdit, work: Work) -> Response:
    """Set bn_gamma, bn_beta, bn_mean or bn_var [layer][node] (`layer` a hidden-layer index;
    the layer must have batch norm)."""
    return await work.edit(lambda s: s.set_norm_value(body.layer, body.node, body.field,
                                                      body.value))


@router.post("/sessions/{session_id}/layers", response_model=Snapshot)
async def insert_layer(body: LayerInsert, work: Work) -> Response:
    """Insert a hidden layer at `index` (0 = first hidden layer)."""
    return await work.edit(lambda s: s.insert_layer(body.index, body.units, body.activation))


@router.delete("/sessions/{session_id}/layers/{index}", response_model=Snapshot)
async def remove_layer(index: int, work: Work) -> Response:
    """Remove hidden layer `index`."""
    return await work.edit(lambda s: s.remove_layer(index))


@router.post("/sessions/{session_id}/layers/{index}/neurons", response_model=Snapshot)
async def add_neurons(index: int, work: Work, body: NeuronAdd | None = None) -> Response:
    """Add neurons to hidden layer `index`."""
    return await work.edit(lambda s: s.add_neurons(index, body.count if body else 1))


@router.delete("/sessions/{session_id}/layers/{index}/neurons/{node}", response_model=Snapshot)
async def remove_neuron(index: int, node: int, work: Work) -> Response:
    """Remove neuron `node` of hidden layer `index`."""
    return await work.edit(lambda s: s.remove_neuron(index, node))
