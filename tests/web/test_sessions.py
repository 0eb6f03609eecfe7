"""A session's life through HTTP (web/routes/sessions.py; API.md sections 1, 3 and 4):
create, read, delete, config patches that keep what they can, steps and reset, each with
its refusals (which must change nothing); determinism and divergence."""

from __future__ import annotations

import math

import pytest

from playground.engine.datasets import DATASETS
from playground.engine.features import FEATURES
from playground.engine.optimizers import OPTIMIZERS
from playground.service.config import Config

from .api_support import API, JSON, refused, shapes, snapshot, strict_json, without_id


# ----------------------------------------------------------------------------- create
def test_create_with_defaults(client):
    response = client.post(API, headers=JSON)  # no body
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
        "hidden": [{"units": 5, "activation": "relu", "dropout": 0.1, "noise_sigma": 0.1,
                    "batch_norm": True},
                   {"units": 3, "activation": "prelu", "dropout": 0.0, "noise_sigma": 0.3,
                    "batch_norm": False}],
        "head": "one_vs_all", "threshold": 0.4, "learning_rate": 0.1, "batch_size": 16,
        "optimizer": "adam", "momentum": 0.8, "adam_beta1": 0.8, "adam_beta2": 0.99,
        "regularization": "l2", "reg_rate": 0.001,
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
        ({"hidden": [{"units": 129}]}, ["128"]),
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
                                   "dropout": None, "noise_sigma": None,
                                   "batch_norm": None}
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
    no_body = client.post(f"{API}/{sid}/reset", headers=JSON)
    assert no_body.json()["weights"] == created["weights"]


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
    assert "128" in refused(client, sid, "PATCH", "/config", 422,
                            {"hidden": [{"units": 129}]})["message"]
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
    snap = client.post(f"{API}/{sid}/reset", headers=JSON).json()
    assert snap["diverged"] is False
    snap = client.post(f"{API}/{sid}/step", json={"epochs": 1}).json()
    assert snap["diverged"] is False and math.isfinite(snap["metrics"]["train_loss"])
