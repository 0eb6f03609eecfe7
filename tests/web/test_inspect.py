"""Looking inside a session through HTTP (web/routes/inspect.py): the raw data, the
heatmaps (u8 against lists, orientation, the winning class) and the trace's forward and
backward values against the parameters, softmax included."""

from __future__ import annotations

import math

import numpy as np
import pytest

from playground.engine.heatmaps import decode_u8

from .api_support import API, params, refused


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


def test_heatmaps_carry_only_the_node_grids_asked_for(client, new_session):
    """The page outside play asks for the grids it shows (a wide layer's few units), as a
    frame's node_ids does: repeated in the query, at most 2048, each an "L:J"."""
    sid = new_session(hidden=[{"units": 40, "activation": "tanh"}])["id"]
    url = f"{API}/{sid}/heatmaps"
    full = client.get(url, params={"resolution": 6}).json()
    some = client.get(url, params={"resolution": 6, "node_ids": ["0:1", "1:37", "9:9"]}).json()
    assert len(full["nodes"]) == 2 + 40 + 1
    assert sorted(some["nodes"]) == ["0:1", "1:37"]   # one the network lacks is left out
    assert some["nodes"]["1:37"] == full["nodes"]["1:37"] and some["output"] == full["output"]
    # lists: only the grids asked for count against max_list_heatmap_values
    assert client.get(url, params={"resolution": 200, "encoding": "list"}).status_code == 422
    few = client.get(url, params={"resolution": 200, "encoding": "list", "node_ids": ["1:3"]})
    assert few.status_code == 200 and list(few.json()["nodes"]) == ["1:3"]
    bad = refused(client, sid, "GET", "/heatmaps?node_ids=1-37", 422, code="invalid")
    assert bad["params"]["field"] == "node_ids.0"
    many = "&".join(["node_ids=1:1"] * 2049)
    assert refused(client, sid, "GET", f"/heatmaps?{many}", 422,
                   code="too_many_items")["params"] == {"field": "node_ids", "max": 2048}
    assert client.get(f"{url}?{many[len('node_ids=1:1&'):]}").status_code == 200
    # nodes=false: the output alone (A/B draws only that), and lists that would be too large
    # with every node's grid are not
    bare = client.get(url, params={"resolution": 200, "encoding": "list", "nodes": "false"})
    assert bare.status_code == 200 and bare.json()["nodes"] == {}
    assert bare.json()["output"] == client.get(url, params={
        "resolution": 200, "encoding": "list", "node_ids": ["1:3"]}).json()["output"]


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
