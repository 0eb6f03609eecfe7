"""Every node's value over a grid of the input square, from one vectorised forward pass,
and the compact `u8` grid encoding of the contract."""

from __future__ import annotations

import base64
import functools
from collections.abc import Collection, Sequence

import numpy as np

from .datasets import EXTENT
from .features import feature_matrix
from . import kernels
from .nn import Network


def grid_ticks(resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres: x1 from low to high (columns), x2 from high to low (rows)."""
    step = 2 * EXTENT / resolution
    x1 = -EXTENT + step * (np.arange(resolution) + 0.5)
    return x1, x1[::-1].copy()


def grid_points(resolution: int) -> np.ndarray:
    """(R*R, 2) points in row-major order: row r is x2 = x2_ticks[r], column c is x1_ticks[c]."""
    x1, x2 = grid_ticks(resolution)
    g1, g2 = np.meshgrid(x1, x2)
    return np.column_stack([g1.ravel(), g2.ravel()])


def decode_u8(grid: dict, resolution: int) -> np.ndarray:
    raw = np.frombuffer(base64.b64decode(grid["data"]), dtype=np.uint8).astype(np.float64)
    return (grid["min"] + (grid["max"] - grid["min"]) * raw / 255.0).reshape(resolution, resolution)


def quantize_columns(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every column of values (R*R, m) as bytes: (min, max, codes) with codes (m, R*R)
    uint8, value = min + (max - min) * code / 255 (non-finite values count as 0)."""
    values = np.where(np.isfinite(values), values, 0.0)
    lo, hi = values.min(axis=0), values.max(axis=0)
    span = hi - lo
    scale = np.divide(255.0, span, out=np.zeros_like(span), where=span > 0)
    return lo, hi, np.rint((values - lo) * scale).astype(np.uint8).T.copy()


def encode_columns(values: np.ndarray, resolution: int, encoding: str) -> list | dict:
    """Encode every column of values (R*R, m) as a GRID, vectorised over the columns.
    `u8bytes` is `u8` with the raw bytes under "bytes" instead of base64 under "data";
    `u8block` is all of them at once, `{"min", "max", "codes"}` as arrays (the play
    socket's binary frames carry the bytes as they are)."""
    if encoding not in ("u8", "u8bytes", "u8block"):
        values = np.where(np.isfinite(values), values, 0.0)
        return [values[:, j].reshape(resolution, resolution).tolist() for j in range(values.shape[1])]
    lo, hi, codes = quantize_columns(values)
    if encoding == "u8block":
        return {"min": lo, "max": hi, "codes": codes}
    if encoding == "u8bytes":
        return [{"encoding": "u8", "min": float(lo[j]), "max": float(hi[j]), "bytes": codes[j].tobytes()}
                for j in range(codes.shape[0])]
    return [{"encoding": "u8", "min": float(lo[j]), "max": float(hi[j]),
             "data": base64.b64encode(codes[j].tobytes()).decode("ascii")}
            for j in range(codes.shape[0])]


@functools.lru_cache(maxsize=64)
def grid_features(resolution: int, features: tuple[str, ...]) -> np.ndarray:
    """The grid's feature matrix, made once per (resolution, features) and shared by every
    frame of every session (read-only: a frame must not pay for the same meshgrid again)."""
    x = feature_matrix(grid_points(resolution), list(features))
    x.setflags(write=False)
    return x


def heatmaps(net: Network, features: Sequence[str], resolution: int, encoding: str = "u8",
             node_resolution: int | None = None, nodes: bool = True,
             node_ids: Collection[str] | None = None) -> dict:
    """Output grid(s) and one grid per node (inputs, hidden, output) over the square; the
    nodes at `node_resolution` when given (small thumbnails need fewer cells); with
    `nodes=False` the output grid(s) only; with `node_ids`, only those nodes' grids. With the `u8block` encoding, `nodes` is one
    block `{"ids", "min", "max", "codes"}` (encode_columns)."""
    x = grid_features(resolution, tuple(features))
    with np.errstate(all="ignore"):
        fwd = kernels.forward(net, x)
        node_fwd = fwd
        if not nodes:
            node_fwd = None
        elif node_resolution and node_resolution != resolution:
            node_fwd = kernels.forward(net, grid_features(node_resolution, tuple(features)))
    out = fwd.output
    head = net.head
    if head.id in ("sigmoid", "linear"):
        outputs = [out[:, 0]]
    elif out.shape[1] == 2:  # binary data with a 2-unit head: probability of class 1
        outputs = [out[:, 1]]
    else:  # multi-class: the winning class and its probability
        winner = out.argmax(axis=1)
        outputs = [out[np.arange(len(out)), winner], winner.astype(np.float64)]
    names = [f"{l}:{j}" for l, values in enumerate(fwd.a) for j in range(values.shape[1])]
    # `u8block`: the output grid(s) as `u8bytes`, the node grids as one block
    output_encoding = "u8bytes" if encoding == "u8block" else encoding
    output_grids = encode_columns(np.column_stack(outputs), resolution, output_encoding)
    if node_fwd is None:
        node_grids: list | dict = {"ids": []} if encoding == "u8block" else {}
    else:
        columns = np.column_stack(node_fwd.a)
        if node_ids is not None:   # a wide layer's 128 grids cost more than what shows them
            wanted = set(node_ids)
            keep = [k for k, name in enumerate(names) if name in wanted]
            columns, names = columns[:, keep], [names[k] for k in keep]
        node_grids = encode_columns(columns, node_resolution or resolution, encoding)
        node_grids = ({"ids": names, **node_grids} if encoding == "u8block"
                      else dict(zip(names, node_grids)))
    x1, x2 = grid_ticks(resolution)
    result: dict = {"resolution": resolution, "extent": [-EXTENT, EXTENT, -EXTENT, EXTENT],
                    "x1": x1.tolist(), "x2": x2.tolist(), "output": output_grids[0],
                    "nodes": node_grids,
                    "node_resolution": node_resolution or resolution}
    if len(outputs) == 2:
        result["output_class"] = output_grids[1]
    return result
