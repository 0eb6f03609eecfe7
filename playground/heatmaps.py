"""Every node's value over a grid of the input square, from one vectorised forward pass,
and the compact `u8` grid encoding of the contract."""

from __future__ import annotations

import base64
from collections.abc import Sequence

import numpy as np

from .datasets import EXTENT
from .features import feature_matrix
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


def encode_u8(values: np.ndarray) -> dict:
    """{"encoding": "u8", "min", "max", "data"}: value = min + (max - min) * byte / 255."""
    finite = np.where(np.isfinite(values), values, 0.0)
    lo, hi = float(finite.min()), float(finite.max())
    span = hi - lo
    scaled = np.zeros(finite.shape) if span == 0 else (finite - lo) * (255.0 / span)
    data = np.rint(scaled).astype(np.uint8).tobytes()
    return {"encoding": "u8", "min": lo, "max": hi, "data": base64.b64encode(data).decode("ascii")}


def decode_u8(grid: dict, resolution: int) -> np.ndarray:
    raw = np.frombuffer(base64.b64decode(grid["data"]), dtype=np.uint8).astype(np.float64)
    return (grid["min"] + (grid["max"] - grid["min"]) * raw / 255.0).reshape(resolution, resolution)


def encode(values: np.ndarray, resolution: int, encoding: str):
    """A GRID of the contract: R nested lists of R numbers, or the u8 object."""
    if encoding == "u8":
        return encode_u8(values)
    finite = np.where(np.isfinite(values), values, 0.0)
    return finite.reshape(resolution, resolution).tolist()


def heatmaps(net: Network, features: Sequence[str], resolution: int, encoding: str = "u8") -> dict:
    """Output grid(s) and one grid per node (inputs, hidden, output) over the square."""
    x = feature_matrix(grid_points(resolution), features)
    with np.errstate(all="ignore"):
        fwd = net.forward(x)
    nodes = {}
    for l, values in enumerate(fwd.a):
        for j in range(values.shape[1]):
            nodes[f"{l}:{j}"] = encode(values[:, j], resolution, encoding)
    out = fwd.output
    head = net.head
    result: dict = {"resolution": resolution, "extent": [-EXTENT, EXTENT, -EXTENT, EXTENT]}
    x1, x2 = grid_ticks(resolution)
    result["x1"], result["x2"] = x1.tolist(), x2.tolist()
    if head.id in ("sigmoid", "linear"):
        result["output"] = encode(out[:, 0], resolution, encoding)
    elif out.shape[1] == 2:  # binary data with a 2-unit head: probability of class 1
        result["output"] = encode(out[:, 1], resolution, encoding)
    else:
        winner = out.argmax(axis=1)
        result["output_class"] = encode(winner.astype(np.float64), resolution, encoding)
        result["output"] = encode(out[np.arange(len(out)), winner], resolution, encoding)
    result["nodes"] = nodes
    return result
