"""Looking inside a session: its data points, every node's heatmap, one point's trace
forward and backward, and the one-example update the trace shows."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from ...service import own_data
from ...service.config import Limits
from ..deps import ERRORS, Read, Work, answer
from .datasets import csv_answer
from ..schemas import DataResponse, ExampleStep, Heatmaps, NodeId, Snapshot, TraceRequest
from ..trace_schemas import Trace

router = APIRouter(prefix="/api", responses=ERRORS)


@router.get("/sessions/{session_id}/data", response_model=DataResponse,
            responses={200: {"content": {"text/csv": {}}}})
async def data(read: Read, format: Annotated[Literal["json", "csv"], Query(
        description="csv: the data as a file to download and upload again")] = "json",
) -> Response:
    """The training and test points (raw x1, x2) and labels; as CSV, the points the data
    was made from (own data as given, a built-in set as generated)."""
    if format == "csv":
        return await read(lambda s: csv_answer(own_data.session_csv(s),
                                               f"data-{s.config.dataset.replace(':', '-')}.csv"))
    return await read(lambda s: answer(DataResponse, s.data_points()))


@router.get("/sessions/{session_id}/heatmaps", response_model=Heatmaps,
            response_model_exclude_none=True)
async def heatmaps(
    work: Work,
    resolution: Annotated[int, Query(ge=2, le=Limits.max_heatmap_resolution)] = 50,
    encoding: Literal["u8", "list"] = "u8",
    node_ids: Annotated[list[NodeId] | None, Query(
        max_length=2048, description="only these nodes' grids (repeated: node_ids=0:0&"
                                     "node_ids=2:99; ids the network lacks are left out, as "
                                     "a frame's); absent: every node's")] = None,
    nodes: Annotated[bool, Query(description="false: the output grid(s) only, no node's")] = True,
) -> Response:
    """Output and every node's value over a resolution x resolution grid of the square
    (as lists: at most limits.max_list_heatmap_values numbers, 422 grid_too_large)."""
    return await work(lambda s: answer(Heatmaps, s.heatmaps(resolution, encoding, nodes=nodes,
                                                            node_ids=node_ids),
                                       exclude_none=True))


@router.post("/sessions/{session_id}/example_step", response_model=Snapshot)
async def example_step(body: ExampleStep, work: Work) -> Response:
    """One plain SGD update on one labelled example (the update the backward trace shows)."""
    return await work.edit(lambda s: s.example_step(body.point, body.label))


@router.post("/sessions/{session_id}/trace", response_model=Trace,
             response_model_exclude_none=True, response_model_by_alias=True)
async def trace(body: TraceRequest, work: Work) -> Response:
    """One point's forward pass node by node; with a label, its backward pass too."""
    return await work(lambda s: answer(Trace, s.trace(body.point, body.label),
                                       exclude_none=True, by_alias=True))
