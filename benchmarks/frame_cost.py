"""The cost of one UI frame over HTTP, and what the HTTP layer adds to the bare engine.

Run by hand: `python benchmarks/frame_cost.py [--frames 300]`. One frame, for the MAX
network of train_speed.py, is `POST /step {"epochs": 1}` + `GET /heatmaps?resolution=50`
against a real uvicorn server on loopback (keep-alive). The bare engine does the same
work (the session's step, snapshot and heatmaps) without HTTP or JSON. Goal: median frame
under 15 ms, HTTP at most 1.5x the bare engine.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playground.service.config import Config  # noqa: E402
from playground.service.sessions import Session  # noqa: E402
from playground.web.schemas import Heatmaps, Snapshot  # noqa: E402

MAX = {"dataset": "spiral", "features": ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"],
       "hidden": [{"units": 8, "activation": "relu"}] * 6, "batch_size": 10,
       "learning_rate": 0.03, "num_samples": 500, "train_ratio": 50}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_frames(frames: int) -> tuple[list[float], int, list[float], int]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "playground.app:app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"], cwd=ROOT)
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(100):
                try:
                    client.get("/api/health")
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            sid = client.post("/api/sessions", json=MAX).json()["id"]
            times, size = [], 0
            for i in range(frames + 10):
                start = time.perf_counter()
                a = client.post(f"/api/sessions/{sid}/step", json={"epochs": 1})
                b = client.get(f"/api/sessions/{sid}/heatmaps", params={"resolution": 50})
                elapsed = time.perf_counter() - start
                a.raise_for_status()
                b.raise_for_status()
                if i >= 10:  # warm-up excluded
                    times.append(elapsed)
                size = len(a.content) + len(b.content)
            frame_times = []
            body = {"epochs": 1, "resolution": 50, "node_resolution": 24}
            last = client.get(f"/api/sessions/{sid}").json()["step"]
            for i in range(frames + 10):
                start = time.perf_counter()
                c = client.post(f"/api/sessions/{sid}/frame", json={**body, "history_since": last})
                elapsed = time.perf_counter() - start
                last = c.json()["snapshot"]["step"]
                c.raise_for_status()
                if i >= 10:
                    frame_times.append(elapsed)
            return times, size, frame_times, len(c.content)
    finally:
        server.terminate()
        server.wait(timeout=10)


def bare_frames(frames: int) -> list[float]:
    """The same work without HTTP: step, snapshot and heatmaps, validated into the same
    response models and written as the same JSON bytes (what any server must produce);
    what is left out is the transport and the framework: HTTP parsing, routing, the
    threadpool, the lock dependency."""
    session = Session("bench", Config.model_validate(MAX))
    times = []
    for i in range(frames + 10):
        start = time.perf_counter()
        session.step(epochs=1)
        Snapshot.model_validate(session.snapshot()).model_dump_json()
        Heatmaps.model_validate(session.heatmaps(50, "u8")).model_dump_json(exclude_none=True)
        elapsed = time.perf_counter() - start
        if i >= 10:
            times.append(elapsed)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    args = parser.parse_args()
    bare = bare_frames(args.frames)
    http, size, page_frames, page_size = http_frames(args.frames)
    bare_ms, http_ms = 1000 * statistics.median(bare), 1000 * statistics.median(http)
    p90 = 1000 * statistics.quantiles(http, n=10)[-1]
    print(f"bare engine : median {bare_ms:6.2f} ms per frame")
    print(f"over HTTP   : median {http_ms:6.2f} ms per frame (p90 {p90:.2f} ms)   "
          f"ratio {http_ms / bare_ms:.2f}x")
    print(f"bytes/frame : {size:,} (step snapshot + heatmaps, uncompressed JSON)")
    page_ms = 1000 * statistics.median(page_frames)
    print(f"page frame  : median {page_ms:6.2f} ms per POST /frame (the page's play loop: "
          f"train + snapshot + heatmaps, nodes at 24x24), {page_size:,} bytes")
    print(json.dumps({"bare_ms": round(bare_ms, 3), "http_ms": round(http_ms, 3),
                      "ratio": round(http_ms / bare_ms, 3), "bytes": size}))


if __name__ == "__main__":
    main()
