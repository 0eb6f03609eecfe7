"""Models you keep (API.md 6.4) over HTTP: a session saved as a model file and loaded back
is the same playground and trains on bit-identically; a bad file is refused with a code
naming what is wrong and makes no session; a shared network's link opens an equal copy."""

from __future__ import annotations

import copy
import json

import pytest

from .api_support import API, error_body, strict_json

DEMANDING = {
    "dataset": "spiral", "noise": 15, "num_samples": 300,
    "features": ["x1", "x2", "sin_x1", "x1x2"],
    "hidden": [{"units": 6, "activation": "relu", "dropout": 0.3},
               {"units": 4, "activation": "prelu", "dropout": 0.2},
               {"units": 3, "activation": "gelu"}],
    "optimizer": "adam", "learning_rate": 0.01, "batch_size": 16, "regularization": "l2",
    "reg_rate": 0.001, "seed": 11, "data_seed": 4,
}


def played(client, new_session, **config) -> str:
    """A session trained, edited by hand and stopped mid-epoch."""
    sid = new_session(**config)["id"]
    assert client.post(f"{API}/{sid}/step", json={"epochs": 2}).status_code == 200
    assert client.post(f"{API}/{sid}/layers/0/neurons", json={"count": 1}).status_code == 200
    assert client.post(f"{API}/{sid}/step", json={"steps": 7}).status_code == 200
    return sid


def model_of(client, sid: str) -> dict:
    r = client.get(f"{API}/{sid}/model")
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"].startswith("attachment; filename=\"playground-")
    return strict_json(r.text)


def load(client, file: dict) -> dict:
    r = client.post(f"{API}/model", json=file)
    assert r.status_code == 201, r.text
    return r.json()


def same_playground(a: dict, b: dict) -> None:
    for key in ("config", "step", "epoch", "weights", "biases", "prelu_slopes", "metrics"):
        assert a[key] == b[key], key


@pytest.mark.parametrize("config", [
    DEMANDING,
    {"optimizer": "momentum", "dataset": "blobs", "classes": 4, "head": "one_vs_all"},
    {"dataset": "plane", "hidden": [{"units": 3, "activation": "elu"}], "batch_size": 1,
     "regularization": "l1", "reg_rate": 0.01},
    {"dataset": "xor", "head": "softmax", "optimizer": "sgd", "batch_size": 400},
])
def test_a_loaded_model_is_the_same_playground_and_trains_on_identically(client, new_session,
                                                                          config):
    sid = played(client, new_session, **config)
    file = model_of(client, sid)
    assert file["format"] == "neural-playground-model" and file["version"] == 1
    assert "data" not in file                       # a built-in dataset: the config makes it
    copy_id = load(client, file)["id"]
    same_playground(client.get(f"{API}/{sid}").json(), client.get(f"{API}/{copy_id}").json())
    assert model_of(client, copy_id) == file        # optimizer state, batch order, rngs too
    for calls in ([("POST", "/step", {"steps": 41})],
                  [("POST", "/layers", {"index": 0, "units": 2}), ("POST", "/step", {"epochs": 1})]):
        for session in (sid, copy_id):
            for method, path, body in calls:
                assert client.request(method, f"{API}/{session}{path}", json=body).status_code == 200
        same_playground(client.get(f"{API}/{sid}").json(), client.get(f"{API}/{copy_id}").json())


def test_adam_per_parameter_step_counts_and_numbers_are_exact(client, new_session):
    sid = played(client, new_session, **DEMANDING)
    file = model_of(client, sid)
    t = file["optimizer_state"]["t"]   # neurons added mid-run: counts differ per parameter
    counts = {x for layer in t["weights"] for row in layer for x in row}
    assert counts == {7, 27} and all(isinstance(x, int) for x in counts)
    params = client.get(f"{API}/{sid}/params").json()
    assert file["params"] == params    # floats written so that they read back bit for bit
    assert file["training"]["batches_done"] == 7 and len(file["training"]["batch_order"]) == 150


def test_a_session_that_diverged_still_saves_its_last_finite_network(client, new_session):
    diverging = {"dataset": "plane", "head": "linear", "learning_rate": 10, "batch_size": 1,
                 "hidden": [{"units": 8, "activation": "relu"}] * 2}
    sid = new_session(**diverging)["id"]
    snap = client.post(f"{API}/{sid}/step", json={"epochs": 3}).json()
    assert snap["diverged"]
    loaded = load(client, model_of(client, sid))
    # the divergence is found again: here at once, by the loss the last finite weights give
    assert loaded["diverged"] and loaded["divergence"]["code"] == "loss_overflow"
    assert loaded["weights"] == snap["weights"] and loaded["step"] == snap["step"]
    for session in (sid, loaded["id"]):
        assert client.post(f"{API}/{session}/step", json={"steps": 1}).status_code == 409


def test_a_network_with_a_non_finite_number_is_refused_not_written_as_nan(client, new_session):
    sid = new_session(optimizer="adam", hidden=[{"units": 1, "activation": "linear"}])["id"]
    client.put(f"{API}/{sid}/params", json={"weights": [[[1e154], [1e154]], [[1.0]]],
                                            "biases": [[0.0], [0.0]]})
    client.post(f"{API}/{sid}/step", json={"steps": 1})   # Adam's v overflows, w does not
    r = client.get(f"{API}/{sid}/model")
    assert r.status_code == 409
    assert error_body(strict_json(r.text), "model_not_finite")["params"] == {"what": "v"}


def broken(file: dict, change) -> dict:
    bad = copy.deepcopy(file)
    change(bad)
    return bad


def refused_file(client, body, status: int, code: str) -> dict:
    before = len(client.app.state.store)
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    r = client.post(f"{API}/model", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    assert len(client.app.state.store) == before        # no session made
    return error_body(strict_json(r.text), code)


def test_bad_files_are_refused_with_a_code_naming_what_is_wrong(client, new_session):
    file = model_of(client, played(client, new_session, **DEMANDING))
    cases = [
        (lambda f: f.update(format="keras-model"), "unknown_id", {"field": "format"}),
        (lambda f: f.update(version=2), "unknown_id", {"field": "version"}),
        (lambda f: f.update(extra=1), "unknown_field", {"field": "extra"}),
        (lambda f: f["config"].update(learning_rate=100), "out_of_range",
         {"field": "config.learning_rate"}),
        (lambda f: f["config"].update(head="linear"), "head_cannot_learn", {"head": "linear"}),
        (lambda f: f["params"]["weights"][0].pop(), "params_shape",
         {"what": "weights[0] must have shape [4, 7], got [3, 7]"}),
        (lambda f: f["config"]["hidden"][1].update(activation="tanh"), "params_shape",
         {"what": "prelu_slopes[1] must be null (layer is not PReLU)"}),
        (lambda f: f["optimizer_state"]["m"]["biases"][0].append(0.0), "model_state", {}),
        (lambda f: f["config"].update(optimizer="momentum"), "model_state",
         {"what": "optimizer_state: momentum keeps v; the file gives m, t, v"}),
        (lambda f: f["training"].update(batch_order=[0] * 150), "model_state",
         {"what": "training: the batch order must be a permutation of 0..149"}),
        (lambda f: f["training"].update(batches_done=10), "model_state",
         {"what": "training: batches done must be in 0..9, got 10"}),
        (lambda f: f["training"]["rngs"]["train"].update(state="12"), "invalid", {}),
        (lambda f: f.update(data={"kind": "binary", "classes": 2,   # a built-in set's file
                                  "points": [[0, 0, 1], [1, 1, 0]]}),
         "model_data_differs", {"dataset": "spiral"}),
        (lambda f: f.update(data={"kind": "binary", "classes": 2, "points": [[0, 0, 1]]}),
         "data_rows", {"rows": 1}),
    ]
    for change, code, params in cases:
        error = refused_file(client, broken(file, change), 422, code)
        assert params.items() <= error["params"].items(), (code, error)
    # non-finite numbers: not JSON, though Python's parser reads them
    text = json.dumps(file).replace(str(file["params"]["biases"][0][0]), "NaN", 1).encode()
    refused_file(client, text, 422, "not_a_number")
    refused_file(client, json.dumps(file).replace("]]]", "1e400]]]", 1).encode(), 422,
                 "not_a_number")   # 1e400 reads as infinity


def test_loading_is_counted_as_creating_a_session(client, new_session):
    file = model_of(client, new_session()["id"])
    client.app.state.limiter.per_minute = 1     # the session above was this minute's one
    r = client.post(f"{API}/model", json=file)
    assert r.status_code == 429 and r.json()["code"] == "too_many_sessions"


def test_a_shared_network_opens_as_an_equal_new_playground(client, new_session):
    sid = played(client, new_session, **DEMANDING)
    r = client.post(f"{API}/{sid}/share", headers={"content-type": "application/json"})
    assert r.status_code == 201, r.text
    shared = r.json()
    assert shared["link"] == f"/?share={shared['share_id']}"
    client.post(f"{API}/{sid}/step", json={"steps": 3})   # the share is frozen: unchanged
    file = client.get(f"/api/shares/{shared['share_id']}").json()
    assert file["step"] == client.get(f"{API}/{sid}").json()["step"] - 3
    opened = load(client, file)
    client.post(f"{API}/{opened['id']}/step", json={"steps": 3})
    same_playground(client.get(f"{API}/{sid}").json(),
                    client.get(f"{API}/{opened['id']}").json())


def test_an_unknown_share_is_404(client):
    for share_id in ("0123456789ab", "nope", "x" * 500):
        r = client.get(f"/api/shares/{share_id}")
        assert r.status_code == 404
        assert error_body(r.json(), "unknown_share")["params"]["share_id"] == share_id[:40]
