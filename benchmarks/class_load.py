"""A class on one machine: N simulated students playing at once, as the page plays.

Run by hand: `python benchmarks/class_load.py [--students 1,10,30,60] [--seconds 8]
[--config DEFAULT|MAX] [--attackers 5] [--dashboards 1] [--workers N] [--store URL]`. A Redis store
should be empty (`redis-cli flushdb`): the sessions of earlier runs count against the
store's capacity for 30 minutes.

It starts `python -m playground` on a free loopback port, then for each class size: every
student creates a session and plays it over the play WebSocket with the page's own frame
request (1 epoch, the 50x50 output grid, 16x16 node grids and the weights (for a diagram
over 300 edges every 100 ms and 4th frame only, as the page asks), only the new history,
as a binary frame), one
frame in flight, as fast as answers come (the page asks at most once per animation frame,
so 60 frames/s is a student's ceiling: the figures are capped there too). Meanwhile a
probe reads a snapshot (GET, a cheap request) every 50 ms, and `--attackers` clients fire
the costliest requests the limits allow (the most epochs one call may run, on the
heaviest network, and the largest list heatmaps). With `--dashboards N` the students join
a class (API.md 6.3) and N teacher's dashboards read it every 2 s as the dashboard page
does (every student's row, and every other time each one's decision surface). Everything runs on this machine: the
load generator shares the two cores with the server, as a classroom's would not.

Printed per class size: per-student frames/s (min and median), frame latency p50/p95,
the server's frames/s in all, errors, the probe's p95, and the bytes of a frame (as
sent, and after permessage-deflate as the wire carries it: the compressed size is
measured with zlib's raw deflate and a per-connection context, what the extension does,
on a run of each student's frames after the window)
with the class's total Mbit/s, and the CPU cores the server process used (the rest of
the two went to the load generator).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from playground.web.binary_frame import unpack

ROOT = Path(__file__).resolve().parents[1]
ALL = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
CONFIGS = {
    "DEFAULT": {},
    "MAX": {"dataset": "spiral", "features": ALL,
            "hidden": [{"units": 16, "activation": "relu"}] * 8},
    # the material's Keras model (issue 13): 2-124-124-1, dropout 0.5 and 0.1, momentum
    "WIDE": {"dataset": "xor", "optimizer": "momentum", "momentum": 0.003,
             "learning_rate": 0.1, "hidden": [{"units": 124, "activation": "relu", "dropout": 0.5},
                                             {"units": 124, "activation": "relu", "dropout": 0.1}]},
}
WIDE_FROM = 17   # as static/js/views/wide_layers.js: a wider layer is drawn as cells


def shown_nodes(config: dict) -> list[str] | None:
    """As static/js/features/play.js: while playing, a network with a wide layer asks for
    the grids of the nodes it draws only (the narrow layers', one unit expanded)."""
    hidden = [h.get("units", 4) for h in config.get("hidden", [{"units": 4}, {"units": 2}])]
    if max(hidden, default=0) < WIDE_FROM:
        return None
    sizes = [len(config.get("features", ["x1", "x2"]))] + hidden + [1]
    return [f"{l}:{j}" for l, n in enumerate(sizes) if n < WIDE_FROM for j in range(n)] + ["1:0"]
FRAME = {"epochs": 1, "resolution": 50, "node_resolution": 16}
MAX_FPS = 60.0   # the page asks at most once per animation frame
KEEP_FROM, KEPT = 10, 120   # the frames of each student whose wire size is measured
# as static/js/features/play.js: a diagram of over BIG_DIAGRAM edges gets its node grids
# (and weights) every DIAGRAM_S and every DIAGRAM_FRAMES-th frame at most
BIG_DIAGRAM = 300
DIAGRAM_S = 0.1
DIAGRAM_FRAMES = 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its live descendants (the worker
    processes of --workers), Linux /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    own = sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    children = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        children.update(int(c) for c in task.read_text().split())
    return own + sum(cpu_seconds(c) for c in children)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


class Student:
    def __init__(self) -> None:
        self.frames = 0
        self.latencies: list[float] = []
        self.errors = 0
        self.raw_bytes = 0
        self.kept: list[bytes] = []   # a run of frames, compressed after the timed window

    def wire_bytes(self) -> float:
        """Bytes a frame takes on the wire with permessage-deflate: the kept run of frames
        compressed as the extension does (raw deflate, the context kept between
        messages), scaled to every frame sent; done after the window, so that the load
        generator does not spend the cores it shares with the server on measuring."""
        if not self.kept:
            return 0.0
        deflate = zlib.compressobj(wbits=-15)
        wire = sum(len(deflate.compress(m) + deflate.flush(zlib.Z_SYNC_FLUSH)) for m in self.kept)
        return self.raw_bytes * wire / sum(len(m) for m in self.kept)

    async def play(self, base: str, ws_base: str, config: dict, until: float,
                   klass: dict | None = None) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            if klass:       # join the class, then the teacher's playground
                r = await client.post(f"/api/classes/{klass['code']}/students",
                                      json={"name": f"student {id(self)}"})
                sid = r.json()["session"]["id"] if r.status_code == 201 else None
                r = await client.patch(f"/api/sessions/{sid}/config", json=config)
                ok = r.status_code == 200
            else:
                r = await client.post("/api/sessions", json=config)
                ok = r.status_code == 201
            if not ok:
                self.errors += 1
                return
            sid = r.json()["id"]
        # as the page does: a big diagram gets its node grids and weights now and then only
        edges = sum(len(m) * len(m[0]) for m in r.json()["weights"])
        last, nodes_at, since = -1, 0.0, DIAGRAM_FRAMES
        async with websockets.connect(f"{ws_base}/api/sessions/{sid}/play", max_size=None,
                                      compression=None) as ws:
            while time.monotonic() < until:
                started = time.monotonic()
                since += 1
                nodes = edges <= BIG_DIAGRAM or (started - nodes_at >= DIAGRAM_S
                                                 and since >= DIAGRAM_FRAMES)
                if nodes:
                    nodes_at, since = started, 0
                shown = {"node_ids": shown_nodes(config)} if shown_nodes(config) else {}
                await ws.send(json.dumps({**FRAME, "history_since": last, "nodes": nodes,
                                          "binary": True, **shown}))
                message = await ws.recv()
                elapsed = time.monotonic() - started
                data = message if isinstance(message, bytes) else message.encode()
                self.raw_bytes += len(data)
                if KEEP_FROM <= self.frames < KEEP_FROM + KEPT:
                    self.kept.append(data)
                answer = json.loads(message) if isinstance(message, str) else unpack(message)[0]
                if "error" in answer:
                    self.errors += 1
                    await asyncio.sleep(0.05)
                    continue
                history = answer["snapshot"]["history"]
                if history:
                    last = history[-1]["step"]
                self.frames += 1
                self.latencies.append(elapsed)
                # the page: at most one frame per display refresh
                await asyncio.sleep(max(0.0, 1 / MAX_FPS - elapsed))


async def probe(base: str, until: float, latencies: list[float]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        sid = (await client.post("/api/sessions", json={})).json()["id"]
        while time.monotonic() < until:
            started = time.monotonic()
            await client.get(f"/api/sessions/{sid}")
            latencies.append(time.monotonic() - started)
            await asyncio.sleep(0.05)


async def dashboard(base: str, klass: dict, until: float, latencies: list[float]) -> None:
    """A teacher's dashboard: every 2 s the whole class, the gallery every other time."""
    key = {"X-Teacher-Key": klass["teacher_key"]}
    async with httpx.AsyncClient(base_url=base, timeout=30, headers=key) as client:
        k = 0
        while time.monotonic() < until:
            started = time.monotonic()
            params = {"boundaries": 24} if k % 2 == 0 else {}
            r = await client.get(f"/api/classes/{klass['code']}", params=params)
            assert r.status_code == 200, r.text
            latencies.append(time.monotonic() - started)
            k += 1
            await asyncio.sleep(max(0.0, 2.0 - (time.monotonic() - started)))


async def attacker(base: str, until: float) -> int:
    """The costliest requests the limits allow, one after another; returns how many."""
    sent = 0
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        catalog = (await client.get("/api/catalog")).json()
        heavy = {**CONFIGS["MAX"], "num_samples": catalog["limits"].get("max_samples", 5000)}
        r = await client.post("/api/sessions", json=heavy)
        if r.status_code != 201:
            return 0
        snap = r.json()
        sid = snap["id"]
        most = snap.get("max_epochs_per_call") or 1
        while time.monotonic() < until:
            await client.post(f"/api/sessions/{sid}/step", json={"epochs": most})
            await client.get(f"/api/sessions/{sid}/heatmaps",
                             params={"resolution": catalog["limits"].get("max_list_resolution", 100),
                                     "encoding": "list"})
            sent += 2
    return sent


async def run_class(base: str, n: int, config: dict, seconds: float, attackers: int,
                    dashboards: int = 0) -> dict:
    ws_base = base.replace("http://", "ws://")
    klass = None
    if dashboards:
        async with httpx.AsyncClient(base_url=base) as client:
            klass = (await client.post("/api/classes", json={"name": "benchmark"})).json()
    until = time.monotonic() + seconds
    students = [Student() for _ in range(n)]
    probe_latencies: list[float] = []
    dashboard_latencies: list[float] = []
    started = time.monotonic()
    await asyncio.gather(*(s.play(base, ws_base, config, until, klass) for s in students),
                         probe(base, until, probe_latencies),
                         *(attacker(base, until) for _ in range(attackers)),
                         *(dashboard(base, klass, until, dashboard_latencies)
                           for _ in range(dashboards)))
    elapsed = time.monotonic() - started
    per_student = [s.frames / elapsed for s in students]
    latencies = [x for s in students for x in s.latencies]
    frames = sum(s.frames for s in students)
    return {
        "students": n, "min_fps": min(per_student), "median_fps": statistics.median(per_student),
        "p50": percentile(latencies, 0.5) * 1000, "p95": percentile(latencies, 0.95) * 1000,
        "server_fps": frames / elapsed, "errors": sum(s.errors for s in students),
        "probe_p95": percentile(probe_latencies, 0.95) * 1000,
        "dashboard_p95": percentile(dashboard_latencies, 0.95) * 1000,
        "raw_kb": sum(s.raw_bytes for s in students) / max(1, frames) / 1024,
        "wire": lambda: {   # called after the CPU figures are taken
            "wire_kb": sum(s.wire_bytes() for s in students) / max(1, frames) / 1024,
            "mbit": sum(s.wire_bytes() for s in students) * 8 / elapsed / 1e6},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", default="1,10,30,60")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--config", choices=list(CONFIGS), default="DEFAULT")
    parser.add_argument("--attackers", type=int, default=0)
    parser.add_argument("--dashboards", type=int, default=0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--store", default=None)
    args = parser.parse_args()
    port = free_port()
    command = [sys.executable, "-m", "playground", "--port", str(port)]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.store:
        command += ["--store", args.store]
    else:   # the embedded store in a folder of its own: sessions of earlier runs would count
        scratch = tempfile.TemporaryDirectory(prefix="class-load-")
        command += ["--data-dir", scratch.name]
    # every simulated student comes from 127.0.0.1: lift the per-address creation limit
    env = {**os.environ, "PLAYGROUND_SESSIONS_PER_MINUTE": "100000"}
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/api/health")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        time.sleep(2.0)   # let the compiled kernels warm up
        print(f"{args.config}, {args.attackers} attackers, {args.dashboards} dashboards, "
              f"{args.seconds:g} s a class size")
        print("students  fps min  fps med   p50 ms   p95 ms  server fps  errors  probe p95 ms"
              "  KB/frame raw  KB/frame wire  Mbit/s  server cores  generator  dashboard p95 ms")
        for n in (int(x) for x in args.students.split(",")):
            cpu, own, wall = cpu_seconds(server.pid), time.process_time(), time.monotonic()
            r = asyncio.run(run_class(base, n, CONFIGS[args.config], args.seconds, args.attackers,
                                      args.dashboards))
            spent = time.monotonic() - wall
            cores = (cpu_seconds(server.pid) - cpu) / spent
            load = (time.process_time() - own) / spent
            r.update(r.pop("wire")())
            print(f"{r['students']:8d} {r['min_fps']:8.1f} {r['median_fps']:8.1f} {r['p50']:8.1f} "
                  f"{r['p95']:8.1f} {r['server_fps']:11.1f} {r['errors']:7d} {r['probe_p95']:13.1f} "
                  f"{r['raw_kb']:13.1f} {r['wire_kb']:14.1f} {r['mbit']:7.1f} {cores:13.2f} {load:10.2f}"
                  f" {r['dashboard_p95']:17.1f}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
