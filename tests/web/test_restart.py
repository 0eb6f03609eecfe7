"""Nothing lost: `python -m playground` killed with SIGKILL and started again on the same
data directory answers every session as it was answered a second before the kill."""

from __future__ import annotations

import time

import httpx
from fastapi.testclient import TestClient

from playground.web.app import create_app

from ..server_support import Server

API = "/api/sessions"


def test_kill_9_and_start_again_loses_nothing(tmp_path):
    data = ["--data-dir", str(tmp_path / "data")]
    first = Server(tmp_path / "first.log", data)
    first.start()
    try:
        with httpx.Client(base_url=first.url, timeout=10) as client:
            sid = client.post(API, json={"optimizer": "adam"}).json()["id"]
            client.post(f"{API}/{sid}/step", json={"epochs": 3}).raise_for_status()
            client.patch(f"{API}/{sid}/weight", json={"layer": 0, "from": 1, "to": 2,
                                                       "value": 0.625}).raise_for_status()
            before = client.get(f"{API}/{sid}").json()
            assert client.get("/api/health").json()["store"] == "sqlite"
        time.sleep(1.0)             # what was answered a second ago is on disk
        first.proc.kill()           # SIGKILL: no shutdown, no last write
        first.proc.wait(timeout=10)
    finally:
        first.stop()
    second = Server(tmp_path / "second.log", data)
    second.start()
    try:
        with httpx.Client(base_url=second.url, timeout=10) as client:
            after = client.get(f"{API}/{sid}").json()
            assert after == before
            assert after["weights"][0][1][2] == 0.625 and after["epoch"] == 3
            # and it trains on as if nothing had happened (Adam's state came back too)
            on = client.post(f"{API}/{sid}/step", json={"steps": 7}).json()
    finally:
        second.stop()
    with TestClient(create_app()) as client:      # the same, never interrupted
        twin = client.post(API, json={"optimizer": "adam"}).json()["id"]
        client.post(f"{API}/{twin}/step", json={"epochs": 3})
        client.patch(f"{API}/{twin}/weight", json={"layer": 0, "from": 1, "to": 2, "value": 0.625})
        expected = client.post(f"{API}/{twin}/step", json={"steps": 7}).json()
    assert on["weights"] == expected["weights"] and on["step"] == expected["step"]
