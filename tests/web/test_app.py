"""The application as a whole (web/app.py, the playground.app shim, python -m playground):
the OpenAPI document, the docs and the page, the store it is given, the unknown-session
answer on every route, no NaN in any JSON answer, and concurrent requests serialized by
the session lock."""

from __future__ import annotations

import math
import threading

import pytest
from fastapi.testclient import TestClient

from playground.service.store import SessionStore
from playground.web.app import create_app
from playground.web.executor import WorkPool
from playground.web.schemas import Heatmaps, Snapshot
from playground.web.trace_schemas import Trace

from .api_support import API, JSON, params, snapshot, strict_json, without_id


# ----------------------------------------------------- the app and python -m playground
def test_openapi_docs_and_page_are_served(client):
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert {"/api/health", "/api/catalog", "/api/sessions", "/api/sessions/{session_id}",
            "/api/sessions/{session_id}/trace", "/api/sessions/{session_id}/heatmaps"} <= set(paths)
    assert client.get("/docs").status_code == 200
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


def test_openapi_describes_refusals_diagnostics_and_what_was_rebuilt(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert {"code", "params", "message"} <= set(schemas["ErrorBody"]["required"])
    diagnostics = schemas["Diagnostics"]["properties"]

    def enum(name: str) -> set[str]:
        return {e for option in diagnostics[name]["anyOf"] for e in option.get("enum", [])}

    assert enum("gradient_flag") == {"vanishing", "exploding", "blocked"}
    assert enum("gradient_cause") == {"saturation", "depth"}
    assert {"blocked_layer", "overfitting"} <= set(diagnostics)
    assert set(schemas["Overfitting"]["properties"]) == {"train_loss", "test_loss", "gap"}
    snapshot_fields = schemas["Snapshot"]["properties"]
    assert {"rebuilt", "divergence", "divergence_reason"} <= set(snapshot_fields)
    assert set(schemas["Rebuilt"]["properties"]) == {
        "data", "input_weights", "output_weights", "all_weights", "head"}
    assert set(schemas["HeadChange"]["properties"]) == {"from", "to"}


def test_running_listens_on_localhost_unless_told(monkeypatch):
    import playground.__main__ as main
    from playground.app import app

    assert app.title == "Neural Playground"  # playground.app:app is the ASGI application
    seen = []
    monkeypatch.setattr(main.uvicorn, "run", lambda target, **kw: seen.append((target, kw)))
    monkeypatch.setenv("PLAYGROUND_STORE", "")     # main sets it; restored after the test
    monkeypatch.setattr("sys.argv", ["playground"])
    main.main()
    monkeypatch.setattr("sys.argv", ["playground", "--host", "0.0.0.0", "--port", "9001"])
    main.main()
    assert [(t, kw["host"], kw["port"]) for t, kw in seen] == [
        ("playground.app:app", "127.0.0.1", 8000), ("playground.app:app", "0.0.0.0", 9001)]


def test_running_keeps_sessions_in_the_data_dir_and_several_workers_need_redis(
        monkeypatch, tmp_path, capsys):
    import os

    import playground.__main__ as main

    seen = []
    monkeypatch.setattr(main.uvicorn, "run", lambda target, **kw: seen.append(kw["workers"]))
    monkeypatch.setenv("PLAYGROUND_STORE", "")
    monkeypatch.setattr("sys.argv", ["playground", "--data-dir", str(tmp_path)])
    main.main()
    assert os.environ["PLAYGROUND_STORE"] == f"sqlite:///{tmp_path.resolve()}/sessions.db"
    for argv, says in [(["--workers", "2"], "--store redis://"),
                       (["--workers", "2", "--store", "memory://"], "--store redis://"),
                       (["--store", "mysql://x"], "memory://, sqlite://, redis://")]:
        monkeypatch.setattr("sys.argv", ["playground", *argv])
        with pytest.raises(SystemExit):
            main.main()
        assert says in capsys.readouterr().err
    monkeypatch.setattr("sys.argv", ["playground", "--workers", "3", "--store", "redis://h:1/0"])
    main.main()
    assert seen == [1, 3] and os.environ["PLAYGROUND_STORE"] == "redis://h:1/0"


# ---------------------------------------------------------------- the store it is given
def test_the_app_uses_the_store_it_was_given(client, store):
    assert len(store) == 0  # empty, hence falsy: the app must still use this very one
    sid = client.post(API, headers=JSON).json()["id"]
    assert len(store) == 1 and store.get(sid).id == sid


def test_idle_sessions_expire_through_http():
    now = [0.0]
    store = SessionStore(ttl=30, capacity=2, clock=lambda: now[0], protected_idle=10)
    with TestClient(create_app(store)) as client:
        first = client.post(API, headers=JSON).json()["id"]
        now[0] = 20
        second = client.post(API, headers=JSON).json()["id"]
        now[0] = 40  # first idle 40 s > 30: gone; second idle 20 s
        assert client.get(f"{API}/{first}").status_code == 404
        assert client.get(f"{API}/{second}").status_code == 200
        third = client.post(API, headers=JSON).json()["id"]
        now[0] = 55  # second (read at 40) is idle 15 s > 10: no longer protected
        fourth = client.post(API, headers=JSON).json()["id"]  # full: second, the LRU, goes
        assert client.get(f"{API}/{second}").status_code == 404
        assert all(client.get(f"{API}/{s}").status_code == 200 for s in (third, fourth))


# --------------------------------------------------------------------- unknown sessions
UNKNOWN_ROUTES = [
    ("GET", "", None), ("DELETE", "", None), ("PATCH", "/config", {"noise": 1}),
    ("POST", "/step", {"steps": 1}), ("POST", "/reset", {}), ("GET", "/params", None),
    ("PUT", "/params", {"weights": [], "biases": []}),
    ("PATCH", "/weight", {"layer": 0, "from": 0, "to": 0, "value": 1}),
    ("PATCH", "/bias", {"layer": 0, "node": 0, "value": 1}),
    ("POST", "/layers", {"index": 0}), ("DELETE", "/layers/0", None),
    ("POST", "/layers/0/neurons", {"count": 1}), ("DELETE", "/layers/0/neurons/0", None),
    ("GET", "/data", None), ("GET", "/heatmaps", None), ("POST", "/trace", {"point": [0, 0]}),
]


@pytest.mark.parametrize("method,path,body", UNKNOWN_ROUTES)
def test_unknown_session_is_404_everywhere(client, new_session, method, path, body):
    new_session()  # a real session exists; the one asked for does not
    kwargs = {} if body is None else {"json": body}
    response = client.request(method, f"{API}/{'0' * 32}{path}", **kwargs)
    assert response.status_code == 404
    error = response.json()
    assert "unknown session" in error["message"] and "POST /api/sessions" in error["message"]
    assert (error["code"], error["params"]) == ("unknown_session", {"session_id": "0" * 32})


# ---------------------------------------------------------------------- non-finite JSON
def test_huge_inputs_and_weights_never_put_nan_in_json(client, new_session):
    sid = new_session(features=["x1", "x2", "x1_sq", "x2_sq"],
                      hidden=[{"units": 3, "activation": "relu"}])["id"]
    response = client.post(f"{API}/{sid}/trace", json={"point": [1000, 1000], "label": 1})
    assert response.status_code == 200
    strict_json(response.text)
    p = params(client, sid)
    huge = {"weights": [[[1e300 for _ in row] for row in w] for w in p["weights"]],
            "biases": p["biases"]}
    response = client.put(f"{API}/{sid}/params", json=huge)
    assert response.status_code == 200
    strict_json(response.text)
    for point in ([1000, 1000], [-3, 2], [0, 0]):
        response = client.post(f"{API}/{sid}/trace", json={"point": point, "label": 0})
        assert response.status_code == 200
        Trace.model_validate(strict_json(response.text))  # overflow: null where allowed
    for encoding in ("u8", "list"):
        response = client.get(f"{API}/{sid}/heatmaps", params={"encoding": encoding})
        assert response.status_code == 200
        maps = strict_json(response.text)
        Heatmaps.model_validate(maps)
        if encoding == "u8":
            assert all(math.isfinite(g["min"]) and math.isfinite(g["max"])
                       for g in maps["nodes"].values())
    Snapshot.model_validate(strict_json(client.get(f"{API}/{sid}").text))
    response = client.post(f"{API}/{sid}/step", json={"steps": 3})
    assert response.status_code in (200, 409)
    strict_json(response.text)


# --------------------------------------------------------------------------- concurrency
@pytest.fixture
def patient_client():
    """An app whose requests wait up to 60 s for their session: what is tested here is that
    concurrent steps are serialized, not the 1 s bound (test_executor.py tests that), and a
    loaded CI machine once took over 1 s for the 7 steps queued ahead of a request."""
    with TestClient(create_app(SessionStore(), pool=WorkPool(wait=60))) as test_client:
        yield test_client


def test_concurrent_steps_on_one_session_are_serialized(patient_client):
    client = patient_client
    created = client.post("/api/sessions", json={})
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    statuses: list[int] = []

    def work() -> None:
        for _ in range(10):
            statuses.append(client.post(f"{API}/{sid}/step", json={"steps": 1}).status_code)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a request never finished (deadlock?)"
    assert statuses == [200] * 80
    snap = snapshot(client, sid)
    assert snap["step"] == 80
    assert snap["epoch"] == 80 // snap["steps_per_epoch"]
    assert [p["step"] for p in snap["history"]] == list(range(81))
    assert snap["history"][-1]["train_loss"] == snap["metrics"]["train_loss"]


def test_concurrent_sessions_do_not_interfere(client, new_session):
    sids = [new_session(seed=1)["id"] for _ in range(4)]
    errors: list[str] = []

    def work(sid: str) -> None:
        for _ in range(5):
            response = client.post(f"{API}/{sid}/step", json={"steps": 3})
            if response.status_code != 200:
                errors.append(response.text)

    threads = [threading.Thread(target=work, args=(sid,)) for sid in sids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    snaps = [snapshot(client, sid) for sid in sids]
    assert all(s["step"] == 15 for s in snaps)
    assert all(without_id(s) == without_id(snaps[0]) for s in snaps)
