"""The HTTP API (API.md sections 1, 3 and 4) through FastAPI's TestClient: every endpoint's
happy path, a refusal of each (which must change nothing), structural edits that keep what
they can, determinism, divergence, softmax and concurrent steps."""

from __future__ import annotations

import json
import math
import threading

import numpy as np
import pytest
from fastapi.testclient import TestClient

from playground.engine.activations import ACTIVATIONS
from playground.engine.datasets import DATASETS
from playground.engine.features import FEATURES
from playground.engine.heads import HEADS
from playground.engine.heatmaps import decode_u8
from playground.engine.initializers import INITIALIZERS
from playground.engine.optimizers import OPTIMIZERS
from playground.engine.regularizers import REGULARIZERS
from playground.service.config import Config, Limits
from playground.service.store import SessionStore
from playground.web.app import create_app
from playground.web.schemas import Heatmaps, Snapshot, Trace

API = "/api/sessions"
JSON = {"content-type": "application/json"}


# ---------------------------------------------------------------------------- helpers
def strict_json(text: str):
    """Parse JSON the way a strict client does: NaN and Infinity are not JSON."""

    def refuse(constant: str):
        raise ValueError(f"{constant} is not valid JSON")

    return json.loads(text, parse_constant=refuse)


def snapshot(client, sid: str) -> dict:
    response = client.get(f"{API}/{sid}")
    assert response.status_code == 200, response.text
    return strict_json(response.text)


def params(client, sid: str) -> dict:
    response = client.get(f"{API}/{sid}/params")
    assert response.status_code == 200, response.text
    return response.json()


def refused(client, sid: str, method: str, path: str, status: int, body=None, raw=None) -> dict:
    """Send a request that must be refused with `status`; assert the error body's shape
    and that the session's snapshot is byte-for-byte what it was before."""
    before = client.get(f"{API}/{sid}")
    assert before.status_code == 200
    kwargs = {"json": body} if raw is None else {"content": raw, "headers": JSON}
    if body is None and raw is None:
        kwargs = {}
    response = client.request(method, f"{API}/{sid}{path}", **kwargs)
    assert response.status_code == status, response.text
    error = strict_json(response.text)
    assert set(error) == {"message", "detail", "allowed"}
    assert isinstance(error["message"], str) and error["message"]
    after = client.get(f"{API}/{sid}")
    assert after.status_code == 200
    assert after.content == before.content, "a refused request changed the session"
    return error


def without_id(snap: dict) -> dict:
    return {k: v for k, v in snap.items() if k != "id"}


def trace_values(client, sid: str, point=(1.5, -2.0)) -> dict[str, float]:
    response = client.post(f"{API}/{sid}/trace", json={"point": list(point)})
    assert response.status_code == 200, response.text
    return {s["node"]: s["value"] for s in response.json()["forward"]}


def layer_of(node: str) -> int:
    return int(node.split(":")[0])


def shapes(snap: dict) -> list[list[int]]:
    return [[len(w), len(w[0])] for w in snap["weights"]]


# ------------------------------------------------------------------- health, catalog
def test_health(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_catalog_lists_every_registry_id_and_the_limits(client):
    response = client.get("/api/catalog")
    assert response.status_code == 200
    catalog = response.json()
    assert [d["id"] for d in catalog["datasets"]] == list(DATASETS)
    assert [a["id"] for a in catalog["activations"]] == list(ACTIVATIONS)
    assert [h["id"] for h in catalog["heads"]] == list(HEADS)
    assert [o["id"] for o in catalog["optimizers"]] == list(OPTIMIZERS)
    assert [r["id"] for r in catalog["regularizers"]] == list(REGULARIZERS)
    assert [f["id"] for f in catalog["features"]] == list(FEATURES)
    assert [i["id"] for i in catalog["initializers"]] == list(INITIALIZERS)
    for activation in catalog["activations"]:
        assert activation["name"] and activation["formula"]
    kinds = {d["id"]: d["kind"] for d in catalog["datasets"]}
    assert kinds["circle"] == "binary" and kinds["blobs"] == "multiclass"
    assert kinds["plane"] == "regression"
    limits = catalog["limits"]
    assert limits["max_hidden_layers"] == 8
    assert limits["max_units"] == 16 and limits["min_units"] == 1
    assert limits["max_steps_per_call"] == Limits.max_steps_per_call
    assert limits["max_heatmap_resolution"] == 200
    assert limits["noise"] == [0, 50] and limits["train_ratio"] == [10, 90]
    assert catalog["defaults"] == Config().model_dump()


def test_openapi_docs_and_page_are_served(client):
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert {"/api/health", "/api/catalog", "/api/sessions", "/api/sessions/{session_id}",
            "/api/sessions/{session_id}/trace", "/api/sessions/{session_id}/heatmaps"} <= set(paths)
    assert client.get("/docs").status_code == 200
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


def test_running_listens_on_localhost_unless_told(monkeypatch):
    import playground.__main__ as main
    from playground.app import app

    assert app.title == "Neural Playground"  # playground.app:app is the ASGI application
    seen = []
    monkeypatch.setattr(main.uvicorn, "run", lambda target, **kw: seen.append((target, kw)))
    monkeypatch.setattr("sys.argv", ["playground"])
    main.main()
    monkeypatch.setattr("sys.argv", ["playground", "--host", "0.0.0.0", "--port", "9001"])
    main.main()
    assert [(t, kw["host"], kw["port"]) for t, kw in seen] == [
        ("playground.app:app", "127.0.0.1", 8000), ("playground.app:app", "0.0.0.0", 9001)]


# ----------------------------------------------------------------------------- create
def test_create_with_defaults(client):
    response = client.post(API)
    assert response.status_code == 201
    snap = strict_json(response.text)
    assert len(snap["id"]) == 32 and int(snap["id"], 16) >= 0
    assert snap["config"] == Config().model_dump()
    assert snap["config"]["head"] == "sigmoid"
    assert (snap["step"], snap["epoch"], snap["diverged"]) == (0, 0, False)
    assert snap["divergence_reason"] is None
    assert [(layer["units"], layer["kind"]) for layer in snap["layers"]] == [
        (2, "input"), (4, "hidden"), (2, "hidden"), (1, "output")]
    assert [layer["activation"] for layer in snap["layers"]] == [None, "tanh", "tanh", "sigmoid"]
    assert shapes(snap) == [[2, 4], [4, 2], [2, 1]]
    assert [len(b) for b in snap["biases"]] == [4, 2, 1]
    assert snap["kind"] == "binary" and snap["classes"] == 2
    assert snap["steps_per_epoch"] == math.ceil(250 / 10)  # 500 points, half train, batch 10
    metrics = snap["metrics"]
    assert set(metrics) >= {"train_loss", "test_loss", "train_accuracy", "test_accuracy"}
    assert metrics["train_loss"] > 0 and 0 <= metrics["train_accuracy"] <= 1
    assert snap["history"] == [{"step": 0, "epoch": 0, **metrics,
                                "gradient_sizes": snap["diagnostics"]["gradient_sizes"]}]


def test_create_with_a_full_config(client):
    config = {
        "dataset": "blobs", "classes": 4, "num_samples": 300, "noise": 10.0,
        "train_ratio": 70.0, "data_seed": 7, "features": ["x1", "x2", "x1x2", "sin_x1"],
        "hidden": [{"units": 5, "activation": "relu", "dropout": 0.1},
                   {"units": 3, "activation": "prelu", "dropout": 0.0}],
        "head": "one_vs_all", "threshold": 0.4, "learning_rate": 0.1, "batch_size": 16,
        "optimizer": "adam", "momentum": 0.8, "regularization": "l2", "reg_rate": 0.001,
        "init": "xavier", "seed": 42,
    }
    response = client.post(API, json=config)
    assert response.status_code == 201, response.text
    snap = response.json()
    assert snap["config"] == config
    assert [layer["units"] for layer in snap["layers"]] == [4, 5, 3, 4]
    assert [layer["activation"] for layer in snap["layers"]] == [
        None, "relu", "prelu", "one_vs_all"]
    assert [layer.get("dropout") for layer in snap["layers"][1:3]] == [0.1, 0.0]
    assert snap["kind"] == "multiclass" and snap["classes"] == 4
    assert snap["steps_per_epoch"] == math.ceil(210 / 16)
    assert snap["prelu_slopes"] == [None, [0.25, 0.25, 0.25]]
    assert all(b == 0.0 for layer in snap["biases"] for b in layer)  # xavier: zero biases


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_create_every_dataset_with_its_default_head(client, dataset):
    snap = client.post(API, json={"dataset": dataset, "num_samples": 60}).json()
    kind = DATASETS[dataset].kind
    assert snap["kind"] == kind
    expected_head = {"binary": "sigmoid", "multiclass": "softmax", "regression": "linear"}[kind]
    assert snap["config"]["head"] == expected_head
    outputs = snap["layers"][-1]["units"]
    assert outputs == (3 if kind == "multiclass" else 1)
    assert snap["classes"] == {"binary": 2, "multiclass": 3, "regression": None}[kind]
    assert ("train_accuracy" in snap["metrics"] and
            (snap["metrics"]["train_accuracy"] is None) == (kind == "regression"))


def test_create_refusals_create_nothing(client, store):
    cases = [
        ({"dataset": "nope"}, list(DATASETS)),
        ({"hidden": [{"units": 2}] * 9}, ["8"]),
        ({"hidden": [{"units": 17}]}, ["16"]),
        ({"dataset": "plane", "head": "sigmoid"}, ["linear"]),
        ({"learning_rate": 0}, ["0.000001"]),
        ({"num_samples": 5001}, ["5000"]),
        ({"features": []}, ["1"]),
        ({"extra": 1}, ["extra"]),
    ]
    for body, needles in cases:
        response = client.post(API, json=body)
        assert response.status_code == 422, body
        message = response.json()["message"]
        for needle in needles:
            assert needle in message, (body, message)
    for raw in (b'{"noise": NaN}', b'{"learning_rate": Infinity}', b'{"dataset": ', b'[1, 2]'):
        response = client.post(API, content=raw, headers=JSON)
        assert response.status_code == 422, raw
        strict_json(response.text)
    assert len(store) == 0


def test_the_app_uses_the_store_it_was_given(client, store):
    assert len(store) == 0  # empty, hence falsy: the app must still use this very one
    sid = client.post(API).json()["id"]
    assert len(store) == 1 and store.get(sid).id == sid


def test_idle_sessions_expire_through_http():
    now = [0.0]
    store = SessionStore(ttl=30, capacity=2, clock=lambda: now[0])
    with TestClient(create_app(store)) as client:
        first = client.post(API).json()["id"]
        now[0] = 20
        second = client.post(API).json()["id"]
        now[0] = 40  # first idle 40 s > 30: gone; second idle 20 s
        assert client.get(f"{API}/{first}").status_code == 404
        assert client.get(f"{API}/{second}").status_code == 200
        third = client.post(API).json()["id"]
        fourth = client.post(API).json()["id"]  # capacity 2: second is evicted
        assert client.get(f"{API}/{second}").status_code == 404
        assert all(client.get(f"{API}/{s}").status_code == 200 for s in (third, fourth))


# ---------------------------------------------------------------- read and delete
def test_read_answers_what_create_answered(client, new_session):
    created = new_session(dataset="xor")
    assert snapshot(client, created["id"]) == created


def test_delete_then_404(client, new_session):
    sid = new_session()["id"]
    response = client.delete(f"{API}/{sid}")
    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"{API}/{sid}").status_code == 404
    assert client.delete(f"{API}/{sid}").status_code == 404
    assert client.post(f"{API}/{sid}/step", json={"steps": 1}).status_code == 404


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


# ------------------------------------------------------------------------ config patch
HYPER_PATCHES = [
    {"learning_rate": 0.3}, {"optimizer": "adam"}, {"optimizer": "momentum", "momentum": 0.5},
    {"threshold": 0.9}, {"batch_size": 7}, {"regularization": "l1", "reg_rate": 0.01},
    {"init": "he"}, {"seed": 99},
]


@pytest.mark.parametrize("patch", HYPER_PATCHES)
def test_hyper_parameters_keep_the_weights_exactly(client, new_session, patch):
    sid = new_session()["id"]
    client.post(f"{API}/{sid}/step", json={"steps": 5})
    before = snapshot(client, sid)
    response = client.patch(f"{API}/{sid}/config", json=patch)
    assert response.status_code == 200, response.text
    after = response.json()
    for key, value in patch.items():
        assert after["config"][key] == value
    assert after["weights"] == before["weights"]
    assert after["biases"] == before["biases"]
    assert (after["step"], after["epoch"]) == (before["step"], before["epoch"])
    assert after["metrics"]["train_loss"] == before["metrics"]["train_loss"]
    assert after["metrics"]["test_loss"] == before["metrics"]["test_loss"]


def test_threshold_changes_accuracy_never_the_loss(client, new_session):
    sid = new_session()["id"]
    before = snapshot(client, sid)
    after = client.patch(f"{API}/{sid}/config", json={"threshold": 0.0}).json()
    assert after["metrics"]["train_loss"] == before["metrics"]["train_loss"]
    # p >= 0 always: everything is predicted class 1
    labels = client.get(f"{API}/{sid}/data").json()["train"]["y"]
    assert after["metrics"]["train_accuracy"] == pytest.approx(sum(labels) / len(labels))


def test_toggling_a_feature_keeps_the_other_input_rows_and_deeper_weights(client, new_session):
    sid = new_session()["id"]
    client.post(f"{API}/{sid}/step", json={"steps": 3})
    before = snapshot(client, sid)
    on = client.patch(f"{API}/{sid}/config", json={"features": ["x1", "x2", "x1_sq"]}).json()
    assert on["layers"][0]["units"] == 3
    assert on["weights"][0][:2] == before["weights"][0]
    assert len(on["weights"][0][2]) == 4
    assert on["weights"][1:] == before["weights"][1:]
    assert on["biases"] == before["biases"]
    assert on["step"] == before["step"]
    off = client.patch(f"{API}/{sid}/config", json={"features": ["x2", "x1_sq"]}).json()
    assert off["weights"][0] == on["weights"][0][1:]
    assert off["weights"][1:] == before["weights"][1:]
    # the features change the inputs, never the raw points
    assert len(client.get(f"{API}/{sid}/data").json()["train"]["x"][0]) == 2


def test_noise_change_rebuilds_the_data_and_keeps_the_weights(client, new_session):
    sid = new_session()["id"]
    data_before = client.get(f"{API}/{sid}/data").json()
    before = snapshot(client, sid)
    after = client.patch(f"{API}/{sid}/config", json={"noise": 30}).json()
    assert after["config"]["noise"] == 30
    assert after["weights"] == before["weights"] and after["biases"] == before["biases"]
    assert client.get(f"{API}/{sid}/data").json() != data_before
    assert after["metrics"]["train_loss"] != before["metrics"]["train_loss"]


def test_dataset_change_to_multiclass_switches_head_and_keeps_hidden_weights(client, new_session):
    sid = new_session()["id"]
    before = snapshot(client, sid)
    after = client.patch(f"{API}/{sid}/config", json={"dataset": "blobs", "classes": 5}).json()
    assert after["config"]["head"] == "softmax"
    assert after["kind"] == "multiclass" and after["classes"] == 5
    assert after["layers"][-1] == {"units": 5, "activation": "softmax", "kind": "output",
                                   "dropout": None}
    assert after["weights"][:2] == before["weights"][:2]
    assert shapes(after)[-1] == [2, 5]
    assert client.get(f"{API}/{sid}/data").json()["classes"] == 5


def test_hidden_patch_of_the_same_depth_keeps_the_old_units(client, new_session):
    sid = new_session()["id"]
    before = snapshot(client, sid)
    hidden = [{"units": 6, "activation": "tanh"}, {"units": 2, "activation": "tanh"}]
    after = client.patch(f"{API}/{sid}/config", json={"hidden": hidden}).json()
    assert shapes(after) == [[2, 6], [6, 2], [2, 1]]
    assert [row[:4] for row in after["weights"][0]] == before["weights"][0]
    assert after["weights"][1][:4] == before["weights"][1]
    assert after["weights"][2] == before["weights"][2]


# -------------------------------------------------------------------------------- step
def test_step_by_steps(client, new_session):
    created = new_session()
    sid = created["id"]
    snap = client.post(f"{API}/{sid}/step", json={"steps": 7}).json()
    assert (snap["step"], snap["epoch"]) == (7, 0)
    assert snap["weights"] != created["weights"]
    assert snap["history"][-1]["step"] == 7
    assert snap["history"][-1]["train_loss"] == snap["metrics"]["train_loss"]
    snap = client.post(f"{API}/{sid}/step", json={"steps": 18}).json()  # 25 steps = 1 epoch
    assert (snap["step"], snap["epoch"]) == (25, 1)
    assert [p["step"] for p in snap["history"]] == [0, 7, 25]


def test_step_by_epochs_counts_ceil_n_over_batch(client, new_session):
    # 200 points, 70% train = 140; batch 30 -> ceil(140 / 30) = 5 steps an epoch
    sid = new_session(num_samples=200, train_ratio=70, batch_size=30)["id"]
    assert len(client.get(f"{API}/{sid}/data").json()["train"]["y"]) == 140
    snap = client.post(f"{API}/{sid}/step", json={"epochs": 2}).json()
    assert snap["steps_per_epoch"] == 5
    assert (snap["step"], snap["epoch"]) == (10, 2)
    snap = client.post(f"{API}/{sid}/step", json={"steps": 3}).json()
    assert (snap["step"], snap["epoch"]) == (13, 2)
    snap = client.post(f"{API}/{sid}/step", json={"epochs": 1}).json()  # finishes epoch 3
    assert (snap["step"], snap["epoch"]) == (15, 3)


def test_full_batch_epoch_is_one_step(client, new_session):
    sid = new_session(num_samples=100, batch_size=500)["id"]
    snap = client.post(f"{API}/{sid}/step", json={"epochs": 3}).json()
    assert snap["steps_per_epoch"] == 1
    assert (snap["step"], snap["epoch"]) == (3, 3)


def test_step_refusals(client, new_session):
    sid = new_session()["id"]
    assert "1" in refused(client, sid, "POST", "/step", 422, {"steps": 0})["message"]
    assert "5000" in refused(client, sid, "POST", "/step", 422, {"steps": 5001})["message"]
    error = refused(client, sid, "POST", "/step", 422, {"epochs": 300})  # 25 steps each
    assert "200" in error["message"] and error["allowed"] == {"epochs": [1, 200]}
    assert "exactly one" in refused(client, sid, "POST", "/step", 422, {})["message"]
    refused(client, sid, "POST", "/step", 422, {"steps": 1, "epochs": 1})
    refused(client, sid, "POST", "/step", 422, {"steps": "many"})
    refused(client, sid, "POST", "/step", 422, {"steps": [1]})
    refused(client, sid, "POST", "/step", 422, {"steps": 1.5})
    refused(client, sid, "POST", "/step", 422, {"steps": 1, "speed": 2})
    refused(client, sid, "POST", "/step", 422, raw=b'{"steps": 1')
    refused(client, sid, "POST", "/step", 422, raw=b'{"steps": NaN}')
    refused(client, sid, "POST", "/step", 422, raw=b'{"epochs": -Infinity}')
    refused(client, sid, "POST", "/step", 422, raw=b'{"steps": 1e400}')
    refused(client, sid, "POST", "/step", 422, raw=b"")


# ------------------------------------------------------------------------------- reset
def test_reset_without_seed_restores_the_initial_weights(client, new_session):
    created = new_session()
    sid = created["id"]
    client.post(f"{API}/{sid}/step", json={"epochs": 2})
    response = client.post(f"{API}/{sid}/reset", json={})
    assert response.status_code == 200
    snap = response.json()
    assert snap["weights"] == created["weights"] and snap["biases"] == created["biases"]
    assert (snap["step"], snap["epoch"]) == (0, 0)
    assert snap["history"] == created["history"]
    assert snap["config"] == created["config"]
    assert client.post(f"{API}/{sid}/reset").json()["weights"] == created["weights"]  # no body


def test_reset_with_a_seed_draws_new_weights(client, new_session):
    created = new_session()
    sid = created["id"]
    client.post(f"{API}/{sid}/step", json={"steps": 30})
    snap = client.post(f"{API}/{sid}/reset", json={"seed": 12345}).json()
    assert snap["config"]["seed"] == 12345
    assert snap["weights"] != created["weights"]
    assert (snap["step"], snap["epoch"]) == (0, 0)
    assert [p["step"] for p in snap["history"]] == [0]
    client.post(f"{API}/{sid}/step", json={"steps": 3})
    again = client.post(f"{API}/{sid}/reset", json={"seed": 12345}).json()
    assert again["weights"] == snap["weights"]  # the same seed, the same weights
    other = new_session(seed=12345)
    assert other["weights"] == snap["weights"]


def test_reset_refusals(client, new_session):
    sid = new_session()["id"]
    assert "0" in refused(client, sid, "POST", "/reset", 422, {"seed": -1})["message"]
    assert str(2**32 - 1) in refused(client, sid, "POST", "/reset", 422, {"seed": 2**32})["message"]
    refused(client, sid, "POST", "/reset", 422, {"seed": "x"})
    refused(client, sid, "POST", "/reset", 422, raw=b'{"seed": NaN}')
    refused(client, sid, "POST", "/reset", 422, raw=b"{seed}")


# ------------------------------------------------------------------------------ params
def test_params_round_trip(client, new_session):
    sid = new_session(hidden=[{"units": 3, "activation": "prelu"}, {"units": 2}])["id"]
    got = params(client, sid)
    snap = snapshot(client, sid)
    assert got["weights"] == snap["weights"] and got["biases"] == snap["biases"]
    assert got["prelu_slopes"] == [[0.25, 0.25, 0.25], None]
    new = {
        "weights": [[[w + 0.125 for w in row] for row in layer] for layer in got["weights"]],
        "biases": [[b - 0.5 for b in layer] for layer in got["biases"]],
        "prelu_slopes": [[0.1, 0.2, 0.3], None],
    }
    response = client.put(f"{API}/{sid}/params", json=new)
    assert response.status_code == 200, response.text
    assert response.json()["weights"] == new["weights"]
    assert params(client, sid) == new
    # without prelu_slopes the slopes stay
    new["weights"][0][0][0] = 2.0
    client.put(f"{API}/{sid}/params", json={"weights": new["weights"], "biases": new["biases"]})
    assert params(client, sid) == new


def test_params_refusals_change_nothing(client, new_session):
    sid = new_session()["id"]
    good = params(client, sid)
    bad_row = json.loads(json.dumps(good))
    bad_row["weights"][0][0].append(0.0)
    assert "shape" in refused(client, sid, "PUT", "/params", 422, bad_row)["message"]
    missing_layer = {"weights": good["weights"][:-1], "biases": good["biases"]}
    refused(client, sid, "PUT", "/params", 422, missing_layer)
    short_bias = json.loads(json.dumps(good))
    short_bias["biases"][1] = [0.0]
    refused(client, sid, "PUT", "/params", 422, short_bias)
    slopes = dict(good, prelu_slopes=[[1.0, 1.0, 1.0, 1.0], None])  # no PReLU layer here
    refused(client, sid, "PUT", "/params", 422, slopes)
    refused(client, sid, "PUT", "/params", 422, {"weights": good["weights"]})
    refused(client, sid, "PUT", "/params", 422, dict(good, weights="zeros"))
    text = json.dumps(good).replace(str(good["weights"][0][0][0]), "NaN", 1)
    assert "NaN" in text
    refused(client, sid, "PUT", "/params", 422, raw=text.encode())
    refused(client, sid, "PUT", "/params", 422, raw=text.replace("NaN", "Infinity").encode())


# ---------------------------------------------------------------- weight and bias edits
def test_weight_edit_sets_exactly_that_weight(client, new_session):
    sid = new_session()["id"]
    before = snapshot(client, sid)
    response = client.patch(f"{API}/{sid}/weight",
                            json={"layer": 1, "from": 3, "to": 1, "value": -2.5})
    assert response.status_code == 200, response.text
    after = response.json()
    expected = json.loads(json.dumps(before["weights"]))
    expected[1][3][1] = -2.5
    assert after["weights"] == expected
    assert after["biases"] == before["biases"]


def test_bias_edit_sets_exactly_that_bias(client, new_session):
    sid = new_session()["id"]
    before = snapshot(client, sid)
    after = client.patch(f"{API}/{sid}/bias", json={"layer": 2, "node": 0, "value": 0.75}).json()
    expected = json.loads(json.dumps(before["biases"]))
    expected[2][0] = 0.75
    assert after["biases"] == expected and after["weights"] == before["weights"]


def test_weight_edit_schema_uses_from():
    schema = create_app().openapi()["components"]["schemas"]["WeightEdit"]
    assert set(schema["properties"]) == {"layer", "from", "to", "value"}
    assert set(schema["required"]) == {"layer", "from", "to", "value"}


def test_weight_and_bias_refusals(client, new_session):
    sid = new_session()["id"]  # sizes 2, 4, 2, 1: weight layers 0..2
    edit = {"layer": 0, "from": 0, "to": 0, "value": 1.0}
    error = refused(client, sid, "PATCH", "/weight", 422, dict(edit, layer=3))
    assert "0..2" in error["message"] and error["allowed"] == [0, 2]
    error = refused(client, sid, "PATCH", "/weight", 422, dict(edit, **{"from": 2}))
    assert "0..1" in error["message"] and error["allowed"] == [0, 1]
    error = refused(client, sid, "PATCH", "/weight", 422, dict(edit, layer=2, to=1))
    assert error["allowed"] == [0, 0]
    assert "1000000" in refused(client, sid, "PATCH", "/weight", 422,
                                dict(edit, value=1e7))["message"]
    refused(client, sid, "PATCH", "/weight", 422, dict(edit, layer=-1))
    refused(client, sid, "PATCH", "/weight", 422, {"layer": 0, "to": 0, "value": 1.0})
    refused(client, sid, "PATCH", "/weight", 422, {"layer": 0, "from_": 0, "to": 0, "value": 1.0})
    refused(client, sid, "PATCH", "/weight", 422, dict(edit, value="big"))
    refused(client, sid, "PATCH", "/weight", 422, raw=b'{"layer":0,"from":0,"to":0,"value":NaN}')
    refused(client, sid, "PATCH", "/weight", 422,
            raw=b'{"layer":0,"from":0,"to":0,"value":Infinity}')
    refused(client, sid, "PATCH", "/weight", 422, raw=b'{"layer":0,"from":0,')
    bias = {"layer": 0, "node": 0, "value": 1.0}
    assert refused(client, sid, "PATCH", "/bias", 422, dict(bias, layer=3))["allowed"] == [0, 2]
    assert refused(client, sid, "PATCH", "/bias", 422, dict(bias, node=4))["allowed"] == [0, 3]
    refused(client, sid, "PATCH", "/bias", 422, dict(bias, value=-1e7))
    refused(client, sid, "PATCH", "/bias", 422, raw=b'{"layer":0,"node":0,"value":-Infinity}')


# ------------------------------------------------------------------- structural edits
@pytest.mark.parametrize("k", [0, 1, 2])
def test_inserting_a_hidden_layer_changes_only_downstream(client, new_session, k):
    sid = new_session()["id"]
    client.post(f"{API}/{sid}/step", json={"steps": 10})
    before = snapshot(client, sid)
    values_before = trace_values(client, sid)
    response = client.post(f"{API}/{sid}/layers", json={"index": k, "units": 3,
                                                        "activation": "relu"})
    assert response.status_code == 200, response.text
    after = response.json()
    assert [layer["units"] for layer in after["layers"]] == (
        [2] + [4, 2][:k] + [3] + [4, 2][k:] + [1])
    assert after["layers"][k + 1]["activation"] == "relu"
    assert after["config"]["hidden"][k] == {"units": 3, "activation": "relu", "dropout": 0.0}
    assert after["weights"][:k] == before["weights"][:k]  # upstream untouched
    assert after["biases"][:k] == before["biases"][:k]
    assert after["weights"][k + 2:] == before["weights"][k + 1:]  # past the new layer: kept
    assert after["step"] == before["step"]
    values_after = trace_values(client, sid)
    for node, value in values_before.items():
        if layer_of(node) <= k:
            assert values_after[node] == value, node
    assert {n for n in values_after if layer_of(n) == k + 1} == {f"{k + 1}:{j}" for j in range(3)}


def test_removing_a_hidden_layer_keeps_upstream(client, new_session):
    sid = new_session(hidden=[{"units": 3}, {"units": 4}, {"units": 2}])["id"]
    before = snapshot(client, sid)
    values_before = trace_values(client, sid)
    after = client.delete(f"{API}/{sid}/layers/1").json()
    assert [layer["units"] for layer in after["layers"]] == [2, 3, 2, 1]
    assert after["weights"][0] == before["weights"][0]
    assert after["weights"][2] == before["weights"][3]
    assert shapes(after) == [[2, 3], [3, 2], [2, 1]]
    values_after = trace_values(client, sid)
    assert all(values_after[n] == v for n, v in values_before.items() if layer_of(n) <= 1)
    assert len(after["config"]["hidden"]) == 2


def test_adding_neurons_keeps_every_other_weight(client, new_session):
    sid = new_session(hidden=[{"units": 3}, {"units": 2}, {"units": 2}])["id"]
    client.post(f"{API}/{sid}/step", json={"steps": 5})
    before = snapshot(client, sid)
    values_before = trace_values(client, sid)
    after = client.post(f"{API}/{sid}/layers/1/neurons", json={"count": 2}).json()
    assert [layer["units"] for layer in after["layers"]] == [2, 3, 4, 2, 1]
    assert after["weights"][0] == before["weights"][0]
    assert [row[:2] for row in after["weights"][1]] == before["weights"][1]
    assert after["weights"][2][:2] == before["weights"][2]
    assert after["weights"][3] == before["weights"][3]
    assert after["biases"][1][:2] == before["biases"][1]
    assert after["biases"][0] == before["biases"][0] and after["biases"][2:] == before["biases"][2:]
    values_after = trace_values(client, sid)
    for node, value in values_before.items():
        if layer_of(node) <= 2:  # inputs, hidden 0 and the old units of hidden 1
            assert values_after[node] == value, node
    assert after["config"]["hidden"][1]["units"] == 4
    one = client.post(f"{API}/{sid}/layers/0/neurons").json()  # no body: one neuron
    assert one["layers"][1]["units"] == 4


def test_removing_a_neuron_drops_its_row_and_column(client, new_session):
    sid = new_session()["id"]
    before = snapshot(client, sid)
    after = client.delete(f"{API}/{sid}/layers/0/neurons/1").json()
    w0 = np.array(before["weights"][0])
    w1 = np.array(before["weights"][1])
    assert after["weights"][0] == np.delete(w0, 1, axis=1).tolist()
    assert after["weights"][1] == np.delete(w1, 1, axis=0).tolist()
    assert after["biases"][0] == [b for j, b in enumerate(before["biases"][0]) if j != 1]
    assert after["weights"][2] == before["weights"][2]
    assert after["config"]["hidden"][0]["units"] == 3


def test_structural_refusals(client, new_session):
    sid = new_session()["id"]  # two hidden layers: 4 and 2 units
    error = refused(client, sid, "POST", "/layers", 422, {"index": 3})
    assert "0..2" in error["message"] and error["allowed"] == [0, 2]
    error = refused(client, sid, "POST", "/layers", 422, {"index": 0, "units": 17})
    assert "16" in error["message"]
    refused(client, sid, "POST", "/layers", 422, {"index": 0, "units": 0})
    message = refused(client, sid, "POST", "/layers", 422,
                      {"index": 0, "activation": "swishy"})["message"]
    assert all(a in message for a in ACTIVATIONS)
    refused(client, sid, "POST", "/layers", 422, {"index": -1})
    refused(client, sid, "POST", "/layers", 422, raw=b'{"index": NaN}')
    error = refused(client, sid, "DELETE", "/layers/2", 404)
    assert "0..1" in error["message"] and error["allowed"] == [0, 1]
    refused(client, sid, "DELETE", "/layers/-1", 404)
    refused(client, sid, "DELETE", "/layers/first", 422)
    assert refused(client, sid, "POST", "/layers/5/neurons", 404, {"count": 1})["allowed"] == [0, 1]
    error = refused(client, sid, "POST", "/layers/0/neurons", 422, {"count": 13})
    assert "12" in error["message"] and error["allowed"] == [1, 12]
    refused(client, sid, "POST", "/layers/0/neurons", 422, {"count": 0})
    refused(client, sid, "POST", "/layers/0/neurons", 422, {"count": 17})
    refused(client, sid, "POST", "/layers/0/neurons", 422, {"count": "two"})
    error = refused(client, sid, "DELETE", "/layers/1/neurons/2", 404)
    assert "0..1" in error["message"] and error["allowed"] == [0, 1]
    refused(client, sid, "DELETE", "/layers/9/neurons/0", 404)


def test_removing_the_last_neuron_is_a_conflict(client, new_session):
    sid = new_session(hidden=[{"units": 1}])["id"]
    error = refused(client, sid, "DELETE", "/layers/0/neurons/0", 409)
    assert "remove the layer" in error["message"]


def test_at_most_8_hidden_layers(client, new_session):
    sid = new_session(hidden=[{"units": 1}] * 7)["id"]
    assert client.post(f"{API}/{sid}/layers", json={"index": 7, "units": 1}).status_code == 200
    error = refused(client, sid, "POST", "/layers", 422, {"index": 0, "units": 1})
    assert "8" in error["message"]
    assert "8" in refused(client, sid, "PATCH", "/config", 422,
                          {"hidden": [{"units": 1}] * 9})["message"]


def test_zero_hidden_layers_then_insert(client, new_session):
    sid = new_session(hidden=[])["id"]
    assert shapes(snapshot(client, sid)) == [[2, 1]]
    assert refused(client, sid, "DELETE", "/layers/0", 404)["allowed"] == []
    assert client.post(f"{API}/{sid}/step", json={"epochs": 1}).status_code == 200
    snap = client.post(f"{API}/{sid}/layers", json={"index": 0, "units": 2}).json()
    assert shapes(snap) == [[2, 2], [2, 1]]


# --------------------------------------------------------------------------------- data
def test_data_is_the_raw_split(client, new_session):
    sid = new_session(num_samples=120, train_ratio=25, features=["x1_sq", "sin_x2"])["id"]
    data = client.get(f"{API}/{sid}/data").json()
    assert len(data["train"]["x"]) == len(data["train"]["y"]) == 30
    assert len(data["test"]["x"]) == len(data["test"]["y"]) == 90
    assert all(len(p) == 2 for p in data["train"]["x"] + data["test"]["x"])
    assert set(data["train"]["y"] + data["test"]["y"]) <= {0.0, 1.0}
    assert data["classes"] == 2 and data["kind"] == "binary"
    assert any(p[0] < 0 for p in data["train"]["x"])  # raw x1, not x1^2
    regression = client.get(f"{API}/{new_session(dataset='plane')['id']}/data").json()
    assert regression["classes"] is None and regression["kind"] == "regression"


# ----------------------------------------------------------------------------- heatmaps
def test_heatmaps_u8_decodes_to_the_list_values(client, new_session):
    sid = new_session(features=["x1", "x2", "x1x2"])["id"]
    client.post(f"{API}/{sid}/step", json={"epochs": 1})
    r = 12
    u8 = client.get(f"{API}/{sid}/heatmaps", params={"resolution": r}).json()
    exact = client.get(f"{API}/{sid}/heatmaps",
                       params={"resolution": r, "encoding": "list"}).json()
    assert u8["resolution"] == r and u8["extent"] == [-6, 6, -6, 6]
    assert set(u8["nodes"]) == set(exact["nodes"]) == {
        "0:0", "0:1", "0:2", "1:0", "1:1", "1:2", "1:3", "2:0", "2:1", "3:0"}
    grids = [(u8["output"], exact["output"])] + [(u8["nodes"][n], exact["nodes"][n])
                                                 for n in exact["nodes"]]
    for packed, values in grids:
        assert packed["encoding"] == "u8"
        values = np.array(values)
        assert values.shape == (r, r)
        decoded = decode_u8(packed, r)
        tolerance = (packed["max"] - packed["min"]) / 255 + 1e-12
        assert np.abs(decoded - values).max() <= tolerance
        assert packed["min"] == values.min() and packed["max"] == values.max()


def test_heatmap_rows_run_from_high_x2_and_the_output_is_the_probability(client, new_session):
    sid = new_session()["id"]
    client.post(f"{API}/{sid}/step", json={"epochs": 2})
    r = 6
    maps = client.get(f"{API}/{sid}/heatmaps", params={"resolution": r, "encoding": "list"}).json()
    x1, x2 = maps["x1"], maps["x2"]
    assert x1 == sorted(x1) and x2 == sorted(x2, reverse=True)
    assert x2[0] == pytest.approx(6 - 6 / r)
    assert maps["nodes"]["0:1"][0] == [x2[0]] * r  # row 0 is the highest x2
    assert maps["nodes"]["0:0"][0] == x1  # columns: x1 from low to high
    assert "output_class" not in maps
    for row, col in [(0, 0), (0, r - 1), (2, 3), (r - 1, 1)]:
        trace = client.post(f"{API}/{sid}/trace", json={"point": [x1[col], x2[row]]}).json()
        p = trace["output"]["values"][0]
        assert maps["output"][row][col] == pytest.approx(p, abs=1e-12)
        assert 0 <= p <= 1


def test_multiclass_heatmaps_have_the_winning_class(client, new_session):
    sid = new_session(dataset="blobs", classes=4)["id"]
    client.post(f"{API}/{sid}/step", json={"epochs": 1})
    r = 5
    maps = client.get(f"{API}/{sid}/heatmaps", params={"resolution": r, "encoding": "list"}).json()
    classes = np.array(maps["output_class"])
    assert set(classes.ravel()) <= {0.0, 1.0, 2.0, 3.0}
    for row in range(r):
        for col in range(r):
            point = [maps["x1"][col], maps["x2"][row]]
            trace = client.post(f"{API}/{sid}/trace", json={"point": point}).json()
            values = trace["output"]["values"]
            assert classes[row, col] == int(np.argmax(values))
            assert maps["output"][row][col] == pytest.approx(max(values), abs=1e-12)
    u8 = client.get(f"{API}/{sid}/heatmaps", params={"resolution": r}).json()
    assert np.allclose(decode_u8(u8["output_class"], r), classes, rtol=0, atol=1e-9)


def test_heatmap_refusals(client, new_session):
    sid = new_session()["id"]
    assert "2" in refused(client, sid, "GET", "/heatmaps?resolution=1", 422)["message"]
    assert "200" in refused(client, sid, "GET", "/heatmaps?resolution=201", 422)["message"]
    refused(client, sid, "GET", "/heatmaps?resolution=ten", 422)
    refused(client, sid, "GET", "/heatmaps?encoding=png", 422)
    for r in (2, 200):
        assert client.get(f"{API}/{sid}/heatmaps", params={"resolution": r}).status_code == 200


# -------------------------------------------------------------------------------- trace
def manual_forward(p: dict, x: np.ndarray, activations: list[str]) -> list[np.ndarray]:
    """Every layer's values, from the parameters the API reports (tanh/relu + sigmoid)."""
    f = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}
    values = [x]
    for l, (w, b) in enumerate(zip(p["weights"], p["biases"])):
        z = values[-1] @ np.array(w) + np.array(b)
        last = l == len(p["weights"]) - 1
        values.append(1 / (1 + np.exp(-z)) if last else f[activations[l]](z))
    return values


def test_trace_forward_values_match_the_parameters(client, new_session):
    sid = new_session(hidden=[{"units": 3, "activation": "tanh"},
                              {"units": 2, "activation": "relu"}])["id"]
    client.post(f"{API}/{sid}/step", json={"epochs": 1})
    response = client.post(f"{API}/{sid}/trace", json={"point": [1.25, -3.5]})
    assert response.status_code == 200
    trace = response.json()
    assert "backward" not in trace and "loss" not in trace
    assert [f["value"] for f in trace["features"]] == [1.25, -3.5]
    p = params(client, sid)
    values = manual_forward(p, np.array([1.25, -3.5]), ["tanh", "relu"])
    nodes = [s["node"] for s in trace["forward"]]
    assert nodes == ["1:0", "1:1", "1:2", "2:0", "2:1", "3:0"]
    for step in trace["forward"]:
        l, j = map(int, step["node"].split(":"))
        assert step["value"] == pytest.approx(values[l][j], rel=1e-12, abs=1e-15)
        assert [i["weight"] for i in step["inputs"]] == [row[j] for row in p["weights"][l - 1]]
        assert step["bias"] == p["biases"][l - 1][j]
        assert step["z"] == pytest.approx(
            sum(i["value"] * i["weight"] for i in step["inputs"]) + step["bias"], abs=1e-12)
        assert step["formula"].startswith(step["activation"])
    assert trace["output"]["values"] == [trace["forward"][-1]["value"]]
    assert trace["output"]["prediction"] == int(trace["output"]["values"][0] >= 0.5)


def test_trace_with_a_label_has_the_backward_pass(client, new_session):
    sid = new_session()["id"]
    trace = client.post(f"{API}/{sid}/trace", json={"point": [2.0, 1.0], "label": 1}).json()
    p = trace["output"]["values"][0]
    assert trace["loss"] == pytest.approx(-math.log(p), rel=1e-9)
    backward = trace["backward"]
    assert [s["node"] for s in backward] == ["3:0", "2:0", "2:1", "1:0", "1:1", "1:2", "1:3"]
    out = backward[0]
    assert out["dz"] == pytest.approx(p - 1, rel=1e-12)
    assert out["bias_grad"] == out["dz"]
    hidden_values = {s["node"]: s["value"] for s in trace["forward"]}
    for g in out["weight_grads"]:
        assert g["grad"] == pytest.approx(hidden_values[g["from"]] * out["dz"], rel=1e-12)


def test_softmax_probabilities_sum_to_one(client, new_session):
    sid = new_session(dataset="blobs", classes=5)["id"]
    client.post(f"{API}/{sid}/step", json={"epochs": 2})
    for point in ([0, 0], [5.5, -4], [-1000, 1000]):
        trace = client.post(f"{API}/{sid}/trace", json={"point": point, "label": 3}).json()
        values = trace["output"]["values"]
        assert len(values) == 5
        assert sum(values) == pytest.approx(1.0, abs=1e-12)
        assert trace["output"]["probability_sum"] == pytest.approx(1.0, abs=1e-12)
        assert trace["output"]["prediction"] == int(np.argmax(values))
        assert trace["loss"] >= 0
        assert [s["node"] for s in trace["backward"]][:5] == [f"3:{j}" for j in range(5)]


def test_trace_refusals(client, new_session):
    sid = new_session()["id"]
    refused(client, sid, "POST", "/trace", 422, {"point": [1]})
    refused(client, sid, "POST", "/trace", 422, {"point": [1, 2, 3]})
    assert "1000" in refused(client, sid, "POST", "/trace", 422, {"point": [1e4, 0]})["message"]
    error = refused(client, sid, "POST", "/trace", 422, {"point": [1, 2], "label": 0.5})
    assert error["allowed"] == [0, 1]
    refused(client, sid, "POST", "/trace", 422, {"point": [1, 2], "label": 2})
    refused(client, sid, "POST", "/trace", 422, {"point": "1,2"})
    refused(client, sid, "POST", "/trace", 422, raw=b'{"point": [NaN, 1]}')
    refused(client, sid, "POST", "/trace", 422, raw=b'{"point": [1, 2], "label": Infinity}')
    refused(client, sid, "POST", "/trace", 422, raw=b'{"point": [1e999, 2]}')


# ------------------------------------------------------------- config patch refusals
def test_config_patch_refusals(client, new_session):
    sid = new_session()["id"]
    message = refused(client, sid, "PATCH", "/config", 422, {"dataset": "nope"})["message"]
    assert all(d in message for d in DATASETS)
    message = refused(client, sid, "PATCH", "/config", 422, {"features": ["x3"]})["message"]
    assert all(f in message for f in FEATURES)
    message = refused(client, sid, "PATCH", "/config", 422, {"optimizer": "rmsprop"})["message"]
    assert all(o in message for o in OPTIMIZERS)
    message = refused(client, sid, "PATCH", "/config", 422, {"head": "linear"})["message"]
    assert "sigmoid" in message and "softmax" in message
    assert "10" in refused(client, sid, "PATCH", "/config", 422, {"learning_rate": 11})["message"]
    assert "50" in refused(client, sid, "PATCH", "/config", 422, {"noise": 51})["message"]
    assert "16" in refused(client, sid, "PATCH", "/config", 422,
                           {"hidden": [{"units": 17}]})["message"]
    refused(client, sid, "PATCH", "/config", 422, {"features": ["x1", "x1"]})
    refused(client, sid, "PATCH", "/config", 422, {"features": []})
    refused(client, sid, "PATCH", "/config", 422, {"classes": 7})
    refused(client, sid, "PATCH", "/config", 422, {"hidden": [{"units": 2, "dropout": 0.9}]})
    refused(client, sid, "PATCH", "/config", 422, {"colour": "red"})
    refused(client, sid, "PATCH", "/config", 422, {"batch_size": "ten"})
    refused(client, sid, "PATCH", "/config", 422, raw=b'{"learning_rate": NaN}')
    refused(client, sid, "PATCH", "/config", 422, raw=b'{"noise": Infinity}')
    refused(client, sid, "PATCH", "/config", 422, raw=b'{"noise": 1,}')
    refused(client, sid, "PATCH", "/config", 422, raw=b'"noise"')


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


# ------------------------------------------------------------------------------- frame
def test_frame_answers_a_complete_snapshot_and_heatmaps(client, new_session):
    """An extension of the contract (the play loop's one call): its snapshot keeps the
    required fields that are null (input layer's activation, a regression's classes)."""
    sid = new_session(dataset="plane")["id"]
    response = client.post(f"{API}/{sid}/frame", json={"steps": 4, "resolution": 4})
    assert response.status_code == 200, response.text
    frame = strict_json(response.text)
    snap = frame["snapshot"]
    assert "activation" in snap["layers"][0] and snap["layers"][0]["activation"] is None
    assert "classes" in snap and snap["classes"] is None
    assert snap["step"] == 4 and snap["weights"] == snapshot(client, sid)["weights"]
    assert frame["heatmaps"]["resolution"] == 4 and "output_class" not in frame["heatmaps"]
    Snapshot.model_validate(snap)
    Heatmaps.model_validate(frame["heatmaps"])
    assert refused(client, sid, "POST", "/frame", 422, {"steps": 1, "resolution": 1})


# --------------------------------------------------------------------------- determinism
def run_script(client, new_session, config: dict) -> dict:
    sid = new_session(**config)["id"]
    calls = [
        ("POST", "/step", {"epochs": 2}),
        ("POST", "/layers", {"index": 1, "units": 3, "activation": "elu"}),
        ("POST", "/layers/0/neurons", {"count": 2}),
        ("PATCH", "/config", {"features": ["x1", "x2", "x1x2"], "learning_rate": 0.1}),
        ("POST", "/step", {"steps": 13}),
        ("PATCH", "/weight", {"layer": 0, "from": 2, "to": 1, "value": 0.5}),
        ("DELETE", "/layers/2/neurons/0", None),
        ("POST", "/step", {"epochs": 1}),
    ]
    for method, path, body in calls:
        kwargs = {} if body is None else {"json": body}
        response = client.request(method, f"{API}/{sid}{path}", **kwargs)
        assert response.status_code == 200, (path, response.text)
    return snapshot(client, sid)


def test_same_config_and_calls_give_identical_snapshots(client, new_session):
    config = {"dataset": "spiral", "noise": 20, "optimizer": "adam", "data_seed": 3, "seed": 5,
              "hidden": [{"units": 4, "activation": "relu", "dropout": 0.2},
                         {"units": 3, "activation": "prelu"}]}
    a = run_script(client, new_session, config)
    b = run_script(client, new_session, config)
    assert a["id"] != b["id"]
    assert without_id(a) == without_id(b)
    c = run_script(client, new_session, dict(config, seed=6))
    assert c["weights"] != a["weights"]


# ---------------------------------------------------------------------------- divergence
def test_divergence_is_reported_and_stops_training(client, new_session):
    sid = new_session(dataset="plane", head="linear", learning_rate=10, batch_size=1,
                      hidden=[{"units": 8, "activation": "relu"},
                              {"units": 8, "activation": "relu"}])["id"]
    response = client.post(f"{API}/{sid}/step", json={"epochs": 3})
    assert response.status_code == 200
    snap = strict_json(response.text)  # no NaN, no Infinity
    assert snap["diverged"] is True
    assert isinstance(snap["divergence_reason"], str) and snap["divergence_reason"]
    assert all(math.isfinite(w) for layer in snap["weights"] for row in layer for w in row)
    assert all(math.isfinite(b) for layer in snap["biases"] for b in layer)
    assert snap["step"] < 3 * snap["steps_per_epoch"]
    for point in snap["history"]:
        assert point["train_loss"] is None or math.isfinite(point["train_loss"])
    strict_json(client.get(f"{API}/{sid}/heatmaps").text)
    strict_json(client.post(f"{API}/{sid}/trace", json={"point": [1, 1], "label": 0.5}).text)
    error = refused(client, sid, "POST", "/step", 409, {"steps": 1})
    assert "diverged" in error["message"] and "learning rate" in error["message"]
    response = client.patch(f"{API}/{sid}/config", json={"learning_rate": 0.001})
    assert response.status_code == 200
    snap = response.json()
    assert snap["diverged"] is False and snap["divergence_reason"] is None
    snap = client.post(f"{API}/{sid}/reset").json()
    assert snap["diverged"] is False
    snap = client.post(f"{API}/{sid}/step", json={"epochs": 1}).json()
    assert snap["diverged"] is False and math.isfinite(snap["metrics"]["train_loss"])


# --------------------------------------------------------------------------- concurrency
def test_concurrent_steps_on_one_session_are_serialized(client, new_session):
    sid = new_session()["id"]
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
