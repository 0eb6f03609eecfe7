"""The play socket's binary frame: grids as raw bytes, and only what changed.

A binary answer is one WebSocket message:

    [uint32, little-endian: n][n bytes: the header, UTF-8 JSON][the grids' bytes]

The header is the Frame as JSON, with two differences:
- every u8 GRID is `{"encoding": "u8", "min", "max", "offset", "length"}`: its R x R
  bytes are `length` bytes at `offset` in the part after the header (value = min + (max -
  min) * byte / 255, as in the JSON encoding);
- what did not change since the previous frame on the same socket is left out and named:
  `snapshot.unchanged` lists the snapshot's fields left out (any but `step`, `epoch`,
  `history`, which is incremental already), `heatmaps.unchanged` the heatmaps' fields
  left out (`resolution`, `extent`, `x1`, `x2`, `node_resolution`), and
  `heatmaps.unchanged_nodes` the node grids whose bytes, min and max are those of the
  last frame that carried node grids (e.g. the input nodes, which never change).

A client keeps the last frame it pieced together and fills the left-out parts from it.
"""

from __future__ import annotations

import json
import struct

KEPT = {"step", "epoch", "history"}                      # always sent
HEATMAP_FIELDS = ("resolution", "extent", "x1", "x2", "node_resolution")


class FrameMemory:
    """What the previous binary frame on one socket said (one frame in flight a socket)."""

    def __init__(self) -> None:
        self.snapshot: dict = {}
        self.heatmaps: dict = {}
        self.nodes: dict = {}


def pack(snapshot: dict, heatmaps: dict, memory: FrameMemory, with_nodes: bool) -> bytes:
    """The binary message for one frame (`heatmaps` holds `u8bytes` grids); updates `memory`."""
    unchanged = [k for k, v in snapshot.items()
                 if k not in KEPT and k in memory.snapshot and memory.snapshot[k] == v]
    memory.snapshot = {k: v for k, v in snapshot.items() if k not in KEPT}
    header_snapshot = {k: v for k, v in snapshot.items() if k not in unchanged}
    header_snapshot["unchanged"] = unchanged

    same = [k for k in HEATMAP_FIELDS
            if k in heatmaps and k in memory.heatmaps and memory.heatmaps[k] == heatmaps[k]]
    memory.heatmaps = {k: heatmaps[k] for k in HEATMAP_FIELDS if k in heatmaps}
    tail = bytearray()

    def placed(grid: dict) -> dict:
        offset = len(tail)
        tail.extend(grid["bytes"])
        return {"encoding": "u8", "min": grid["min"], "max": grid["max"],
                "offset": offset, "length": len(grid["bytes"])}

    header_maps = {k: v for k, v in heatmaps.items()
                   if k not in same and k not in ("output", "output_class", "nodes")}
    header_maps["output"] = placed(heatmaps["output"])
    if "output_class" in heatmaps:
        header_maps["output_class"] = placed(heatmaps["output_class"])
    nodes, kept_nodes = {}, []
    for node, grid in heatmaps["nodes"].items():
        key = (grid["min"], grid["max"], grid["bytes"])
        if memory.nodes.get(node) == key:
            kept_nodes.append(node)
        else:
            nodes[node] = placed(grid)
    if with_nodes:                       # a frame without node grids leaves them as they were
        memory.nodes = {n: (g["min"], g["max"], g["bytes"]) for n, g in heatmaps["nodes"].items()}
    header_maps["nodes"] = nodes
    header_maps["unchanged"] = same
    header_maps["unchanged_nodes"] = kept_nodes

    header = json.dumps({"snapshot": header_snapshot, "heatmaps": header_maps},
                        separators=(",", ":"), allow_nan=False).encode()
    return struct.pack("<I", len(header)) + header + bytes(tail)


def unpack(message: bytes) -> tuple[dict, bytes]:
    """The header and the grids' bytes of a binary frame (for tests and Python clients)."""
    (n,) = struct.unpack_from("<I", message)
    return json.loads(message[4 : 4 + n]), message[4 + n :]
