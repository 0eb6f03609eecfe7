"""Several workers: `python -m playground --workers 2 --store redis://...` serves one
class from two processes; any request may land on either, none gets a 404, and every
step is counted once."""

from __future__ import annotations

import json
import random

import httpx
import websockets.sync.client as ws_client

from ..server_support import Server

API = "/api/sessions"


def test_two_workers_share_every_session(tmp_path, redis_url):
    server = Server(tmp_path / "server.log", ["--workers", "2", "--store", redis_url])
    server.start(timeout=60)
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            assert client.get("/api/health").json()["store"] == "redis"
            ids = [client.post(API, json={"num_samples": 50}).json()["id"] for _ in range(5)]
        steps = dict.fromkeys(ids, 0)
        rng = random.Random(4)
        statuses = []
        for i in range(200):   # fresh connections: the kernel spreads them over both workers
            sid = rng.choice(ids)
            with httpx.Client(base_url=server.url, timeout=10) as fresh:
                kind = i % 4
                if kind == 0:
                    r = fresh.post(f"{API}/{sid}/step", json={"steps": 3})
                    steps[sid] += 3 if r.status_code == 200 else 0
                elif kind == 1:
                    r = fresh.get(f"{API}/{sid}")
                elif kind == 2:
                    r = fresh.patch(f"{API}/{sid}/weight",
                                    json={"layer": 0, "from": 0, "to": 0, "value": i / 100})
                else:
                    r = fresh.post(f"{API}/{sid}/frame", json={"steps": 1, "resolution": 10})
                    steps[sid] += 1 if r.status_code == 200 else 0
                statuses.append(r.status_code)
        assert 404 not in statuses and set(statuses) <= {200, 429}, statuses
        assert statuses.count(200) >= 190
        with httpx.Client(base_url=server.url, timeout=10) as client:
            for sid in ids:
                assert client.get(f"{API}/{sid}").json()["step"] == steps[sid]
        # the play socket on one worker, an edit on whichever: the frames see the edit
        sid = ids[0]
        with ws_client.connect(f"ws://127.0.0.1:{server.port}{API}/{sid}/play",
                               origin=server.url) as ws:
            for value in (0.5, -0.25):
                with httpx.Client(base_url=server.url, timeout=10) as fresh:
                    fresh.patch(f"{API}/{sid}/weight", json={"layer": 0, "from": 1, "to": 0,
                                                             "value": value}).raise_for_status()
                ws.send(json.dumps({"steps": 1, "resolution": 4}))
                frame = json.loads(ws.recv())
                assert "error" not in frame, frame
                steps[sid] += 1
                assert frame["snapshot"]["step"] == steps[sid]
    finally:
        server.stop()
