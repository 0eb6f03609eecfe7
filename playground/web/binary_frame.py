"""The play socket's binary frame: numbers as raw bytes, and only what changed.

A binary answer is one WebSocket message:

    [uint32, little-endian: n][n bytes: the header, UTF-8 JSON][the arrays' bytes]

n is such that the part after the header (the tail) starts 8-byte aligned. The header is
the Frame as JSON, with these differences:
- the output GRID(s) are `{"encoding": "u8", "min", "max", "offset", "length"}`: R x R
  bytes at `offset` in the tail (value = min + (max - min) * byte / 255, as in the JSON
  encoding);
- `heatmaps.nodes` is one block, `{"encoding": "u8block", "ids": ["L:J", ...], "range":
  F64 of shape [n, 2] (each grid's min and max), "offset", "length"}`: the n node grids'
  bytes one after another (n x node_resolution^2) at `offset`;
- the parameters are exact: each matrix of `snapshot.weights`, each vector of `biases`
  and each non-null one of `prelu_slopes`, `bn_gamma`, `bn_beta`, `bn_mean`, `bn_var` is
  an F64;
- an F64 is `{"encoding": "f64", "shape", "offset", "length"}`: little-endian float64
  values in row-major order, `length` bytes at `offset` (a multiple of 8);
- a frame asked for without node grids (`nodes: false`: the page is not redrawing its
  diagram) carries no parameters either: `snapshot.not_sent` names them (`weights`,
  `biases`, `prelu_slopes`, the `bn_*`) and the client keeps the ones it has;
- what did not change since the previous frame on the same socket is left out and named:
  `snapshot.unchanged` lists the snapshot's fields left out (any but `step`, `epoch`,
  `history`, which is incremental already, and the parameters), `heatmaps.unchanged` the
  heatmaps' fields left out (`resolution`, `extent`, `x1`, `x2`, `node_resolution`), and
  `heatmaps.unchanged_nodes` the node grids whose bytes, min and max are those of the
  last frame that carried node grids (e.g. the input nodes, which never change).

A client keeps the last frame it pieced together and fills the left-out parts from it.
"""

from __future__ import annotations

import json
import struct

import numpy as np

KEPT = {"step", "epoch", "history"}                      # always sent
PARAMS = ("weights", "biases", "prelu_slopes",           # sent with the diagram only
          "bn_gamma", "bn_beta", "bn_mean", "bn_var")
HEATMAP_FIELDS = ("resolution", "extent", "x1", "x2", "node_resolution")


class FrameMemory:
    """What the previous binary frame on one socket said (one frame in flight a socket)."""

    def __init__(self) -> None:
        self.snapshot: dict = {}
        self.heatmaps: dict = {}
        self.nodes: dict | None = None       # the last node block sent


class Tail:
    """The bytes after the header: float64 arrays first (so each starts 8-byte aligned),
    then the u8 grids."""

    def __init__(self) -> None:
        self.f64 = bytearray()
        self.u8 = bytearray()
        self.u8_refs: list[dict] = []

    def exact(self, array: np.ndarray | None) -> dict | None:
        if array is None:
            return None
        offset = len(self.f64)
        self.f64.extend(np.ascontiguousarray(array, dtype="<f8").tobytes())
        return {"encoding": "f64", "shape": list(array.shape), "offset": offset,
                "length": len(self.f64) - offset}

    def grid(self, data: bytes, **fields) -> dict:
        """A u8 part's header entry (its offset is final once `bytes` has been called)."""
        ref = {**fields, "offset": len(self.u8), "length": len(data)}
        self.u8.extend(data)
        self.u8_refs.append(ref)
        return ref

    def bytes(self) -> bytes:
        for ref in self.u8_refs:                 # u8 offsets were counted from their part
            ref["offset"] += len(self.f64)
        return bytes(self.f64) + bytes(self.u8)


def pack(snapshot: dict, heatmaps: dict, memory: FrameMemory, with_nodes: bool,
         params: dict[str, list[np.ndarray | None]]) -> bytes:
    """The binary message for one frame: `snapshot` without the parameters, `heatmaps`
    encoded `u8block`, `params` the network's arrays (sent with node grids only); updates
    `memory`."""
    tail = Tail()
    unchanged = [k for k, v in snapshot.items()
                 if k not in KEPT and k in memory.snapshot and memory.snapshot[k] == v]
    memory.snapshot = {k: v for k, v in snapshot.items() if k not in KEPT}
    header_snapshot = {k: v for k, v in snapshot.items() if k not in unchanged}
    header_snapshot["unchanged"] = unchanged
    if with_nodes:
        header_snapshot.update({k: [tail.exact(a) for a in params[k]] for k in PARAMS})
    else:
        header_snapshot["not_sent"] = list(PARAMS)

    same = [k for k in HEATMAP_FIELDS
            if k in heatmaps and k in memory.heatmaps and memory.heatmaps[k] == heatmaps[k]]
    memory.heatmaps = {k: heatmaps[k] for k in HEATMAP_FIELDS if k in heatmaps}
    header_maps = {k: v for k, v in heatmaps.items()
                   if k not in same and k not in ("output", "output_class", "nodes")}
    for key in ("output", "output_class"):
        if key in heatmaps:
            g = heatmaps[key]
            header_maps[key] = tail.grid(g["bytes"], encoding="u8", min=g["min"], max=g["max"])
    header_maps["nodes"], header_maps["unchanged_nodes"] = node_block(
        heatmaps["nodes"], memory, tail, with_nodes)
    header_maps["unchanged"] = same

    data = tail.bytes()                       # settles the grids' offsets: header after
    header = json.dumps({"snapshot": header_snapshot, "heatmaps": header_maps},
                        separators=(",", ":"), allow_nan=False).encode()
    header += b" " * (-(4 + len(header)) % 8)      # JSON may end in blanks: tail aligned
    return struct.pack("<I", len(header)) + header + data


def node_block(block: dict, memory: FrameMemory, tail: Tail, with_nodes: bool
               ) -> tuple[dict, list[str]]:
    """The node grids that changed since the last block sent (one comparison for all of
    them), as one block in the tail, and the ids of those that did not."""
    if not with_nodes or not block["ids"]:
        return {"encoding": "u8block", "ids": [], "range": None, "offset": 0, "length": 0}, []
    ids, lo, hi, codes = block["ids"], block["min"], block["max"], block["codes"]
    last = memory.nodes
    if last is not None and last["ids"] == ids and last["codes"].shape == codes.shape:
        same = (last["min"] == lo) & (last["max"] == hi) & (last["codes"] == codes).all(axis=1)
    else:
        same = np.zeros(len(ids), dtype=bool)
    memory.nodes = block                     # a frame without node grids leaves them as they were
    sent = ~same
    header = tail.grid(codes[sent].tobytes(), encoding="u8block",
                       ids=[n for n, s in zip(ids, sent) if s],
                       range=tail.exact(np.column_stack([lo[sent], hi[sent]])))
    return header, [n for n, s in zip(ids, same) if s]


def unpack(message: bytes) -> tuple[dict, bytes]:
    """The header and the tail of a binary frame (for tests and Python clients)."""
    (n,) = struct.unpack_from("<I", message)
    return json.loads(message[4 : 4 + n]), message[4 + n :]
