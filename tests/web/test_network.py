"""Parameters and structure through HTTP (web/routes/network.py): all parameters, one
weight, one bias, one PReLU slope, structural edits that keep every parameter they can, and their refusals
(which must change nothing)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from playground.engine.activations import ACTIVATIONS
from playground.web.app import create_app

from .api_support import API, JSON, params, refused, shapes, snapshot


# ---------------------------------------------------------------------------- helpers
def trace_values(client, sid: str, point=(1.5, -2.0)) -> dict[str, float]:
    response = client.post(f"{API}/{sid}/trace", json={"point": list(point)})
    assert response.status_code == 200, response.text
    return {s["node"]: s["value"] for s in response.json()["forward"]}


def layer_of(node: str) -> int:
    return int(node.split(":")[0])


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
    no_batch_norm = {f"bn_{v}": [None, None] for v in ("gamma", "beta", "mean", "var")}
    assert params(client, sid) == new | no_batch_norm
    # without prelu_slopes the slopes stay
    new["weights"][0][0][0] = 2.0
    client.put(f"{API}/{sid}/params", json={"weights": new["weights"], "biases": new["biases"]})
    assert params(client, sid) == new | no_batch_norm


def test_batch_norm_values_are_params_and_the_trace_shows_their_line(client, new_session):
    """API.md 6.5: bn_gamma, bn_beta and the running bn_mean, bn_var per hidden layer (null
    without batch norm); PUT sets them (a negative variance refused, nothing changed);
    training moves them; the trace writes the normalization with its numbers."""
    sid = new_session(num_samples=40, batch_size=4,
                      hidden=[{"units": 3, "batch_norm": True}, {"units": 2}])["id"]
    got = params(client, sid)
    assert got["bn_gamma"] == [[1.0] * 3, None] and got["bn_beta"] == [[0.0] * 3, None]
    assert got["bn_mean"] == [[0.0] * 3, None] and got["bn_var"] == [[1.0] * 3, None]
    body = {"weights": got["weights"], "biases": got["biases"],
            "bn_gamma": [[2.0, 1.5, 0.5], None], "bn_mean": [[0.1, 0.2, 0.3], None],
            "bn_var": [[4.0, 1.0, 0.25], None]}
    assert client.put(f"{API}/{sid}/params", json=body).status_code == 200
    error = refused(client, sid, "PUT", "/params", 422,
                    body | {"bn_var": [[-1.0, 1.0, 1.0], None]})
    assert "variance" in error["message"]
    got = params(client, sid)
    assert got["bn_gamma"][0] == [2.0, 1.5, 0.5] and got["bn_var"][0] == [4.0, 1.0, 0.25]

    trace = client.post(f"{API}/{sid}/trace", json={"point": [1.0, -2.0], "label": 1}).json()
    step = trace["forward"][0]
    line = step["batch_norm"]
    assert (line["mean"], line["var"], line["gamma"], line["beta"]) == (0.1, 4.0, 2.0, 0.0)
    assert line["value"] == pytest.approx((step["z"] - 0.1) / (4.0 + 1e-5) ** 0.5 * 2.0)
    assert line["formula"].startswith("y = (z - mean) / sqrt(var + eps) * gamma + beta = (")
    assert step["value"] == pytest.approx(math.tanh(line["value"]))
    back = next(b for b in trace["backward"] if b["node"] == "1:0")
    assert back["dz"] == pytest.approx(back["dy"] * 2.0 / (4.0 + 1e-5) ** 0.5)

    client.post(f"{API}/{sid}/step", json={"epochs": 1})
    moved = params(client, sid)
    assert moved["bn_mean"][0] != [0.1, 0.2, 0.3] and moved["bn_gamma"][0] != [2.0, 1.5, 0.5]


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


# ------------------------------------------------------------------------ PReLU slopes
PRELU_SECOND = [{"units": 3, "activation": "tanh"}, {"units": 2, "activation": "prelu"}]


def test_slope_edit_sets_exactly_that_slope(client, new_session):
    sid = new_session(hidden=PRELU_SECOND)["id"]
    before = params(client, sid)
    assert before["prelu_slopes"] == [None, [0.25, 0.25]]
    response = client.patch(f"{API}/{sid}/slope", json={"layer": 1, "node": 1, "value": -0.4})
    assert response.status_code == 200, response.text
    assert response.json()["prelu_slopes"] == [None, [0.25, -0.4]]
    after = params(client, sid)
    assert after["prelu_slopes"] == [None, [0.25, -0.4]]
    assert after["weights"] == before["weights"] and after["biases"] == before["biases"]


def test_an_edited_slope_is_what_the_forward_pass_uses(client, new_session):
    sid = new_session(hidden=[{"units": 1, "activation": "prelu"}])["id"]
    client.put(f"{API}/{sid}/params", json={"weights": [[[1.0], [0.0]], [[1.0]]],
                                            "biases": [[0.0], [0.0]]})
    client.patch(f"{API}/{sid}/slope", json={"layer": 0, "node": 0, "value": 0.5})
    step = client.post(f"{API}/{sid}/trace", json={"point": [-2.0, 0.0]}).json()["forward"][0]
    assert step["slope"] == 0.5 and step["z"] == -2.0 and step["value"] == -1.0


def test_slope_refusals_change_nothing(client, new_session):
    sid = new_session(hidden=PRELU_SECOND)["id"]  # hidden layers 0 (tanh, 3) and 1 (prelu, 2)
    before = params(client, sid)
    edit = {"layer": 1, "node": 0, "value": 0.5}
    error = refused(client, sid, "PATCH", "/slope", 409, dict(edit, layer=0), code="not_prelu")
    assert error["params"] == {"layer": 1, "index": 0, "activation": "tanh"}
    error = refused(client, sid, "PATCH", "/slope", 422, dict(edit, layer=2), code="no_such_node")
    assert error["params"] == {"field": "layer", "value": 2, "max": 1}
    error = refused(client, sid, "PATCH", "/slope", 422, dict(edit, node=2), code="no_such_node")
    assert error["params"] == {"field": "node", "value": 2, "max": 1}
    refused(client, sid, "PATCH", "/slope", 422, dict(edit, layer=-1), code="too_small")
    refused(client, sid, "PATCH", "/slope", 422, dict(edit, value=1e7), code="out_of_range")
    refused(client, sid, "PATCH", "/slope", 422, raw=b'{"layer":1,"node":0,"value":NaN}',
            code="not_a_number")
    refused(client, sid, "PATCH", "/slope", 422, {"layer": 1, "value": 0.5}, code="missing")
    assert params(client, sid) == before


BN_SECOND = [{"units": 3}, {"units": 2, "batch_norm": True}]


@pytest.mark.parametrize("field", ["gamma", "beta", "mean", "var"])
def test_batch_norm_edit_sets_exactly_that_value(client, new_session, field):
    """PATCH /batch_norm sets one of bn_gamma, bn_beta, bn_mean, bn_var [layer][node], as
    /slope sets a PReLU slope; the trace's normalization line uses it."""
    sid = new_session(hidden=BN_SECOND)["id"]
    before = params(client, sid)
    response = client.patch(f"{API}/{sid}/batch_norm",
                            json={"layer": 1, "node": 1, "field": field, "value": 0.75})
    assert response.status_code == 200, response.text
    after = params(client, sid)
    for name in ("bn_gamma", "bn_beta", "bn_mean", "bn_var"):
        want = before[name]
        if name == f"bn_{field}":
            want = [None, [want[1][0], 0.75]]
        assert after[name] == want, name
    assert after["weights"] == before["weights"] and after["biases"] == before["biases"]
    line = next(s for s in client.post(f"{API}/{sid}/trace", json={"point": [1.0, 0.5]})
                .json()["forward"] if s["node"] == "2:1")["batch_norm"]
    assert line[field] == 0.75


def test_batch_norm_edit_refusals_change_nothing(client, new_session):
    sid = new_session(hidden=BN_SECOND)["id"]
    before = params(client, sid)
    edit = {"layer": 1, "node": 0, "field": "gamma", "value": 0.5}
    error = refused(client, sid, "PATCH", "/batch_norm", 409, dict(edit, layer=0),
                    code="no_batch_norm")
    assert error["params"] == {"layer": 1, "index": 0}
    error = refused(client, sid, "PATCH", "/batch_norm", 422, dict(edit, layer=2),
                    code="no_such_node")
    assert error["params"] == {"field": "layer", "value": 2, "max": 1}
    error = refused(client, sid, "PATCH", "/batch_norm", 422, dict(edit, node=2),
                    code="no_such_node")
    assert error["params"] == {"field": "node", "value": 2, "max": 1}
    error = refused(client, sid, "PATCH", "/batch_norm", 422, dict(edit, field="var", value=-0.1),
                    code="too_small")
    assert error["params"] == {"field": "var", "min": 0.0, "value": -0.1}
    error = refused(client, sid, "PATCH", "/batch_norm", 422, dict(edit, field="eps"),
                    code="unknown_id")
    assert error["params"]["allowed"] == ["gamma", "beta", "mean", "var"]
    refused(client, sid, "PATCH", "/batch_norm", 422, dict(edit, value=1e7), code="out_of_range")
    refused(client, sid, "PATCH", "/batch_norm", 422,
            raw=b'{"layer":1,"node":0,"field":"beta","value":NaN}', code="not_a_number")
    assert params(client, sid) == before


def test_a_network_without_hidden_layers_has_no_slope_to_set(client, new_session):
    sid = new_session(hidden=[])["id"]
    error = refused(client, sid, "PATCH", "/slope", 404, {"layer": 0, "node": 0, "value": 0.5},
                    code="no_such_layer")
    assert error["params"] == {"layer": 1, "index": 0, "hidden_layers": 0}


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
    assert after["config"]["hidden"][k] == {"units": 3, "activation": "relu", "dropout": 0.0,
                                              "noise_sigma": 0.1, "batch_norm": False}
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
    one = client.post(f"{API}/{sid}/layers/0/neurons", headers=JSON).json()  # no body: one neuron
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
    error = refused(client, sid, "POST", "/layers", 422, {"index": 0, "units": 129})
    assert "128" in error["message"]
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
    wide = new_session(hidden=[{"units": 120}])["id"]
    error = refused(client, wide, "POST", "/layers/0/neurons", 422, {"count": 13})
    assert "8" in error["message"] and error["allowed"] == [1, 8]
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
