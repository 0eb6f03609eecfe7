"""Issues 5 and 8 through HTTP: the trace's backward pass against finite differences of
the one example's loss, the one-example SGD update, dead units, the gradient flag (blocked,
vanishing by saturation or by depth, never "exploding" across a change), overfitting,
confusion."""

import pytest

from playground.engine.diagnostics import EXPLODING_GROWTH

H = 1e-6


def trace(client, sid, point, label):
    r = client.post(f"/api/sessions/{sid}/trace", json={"point": point, "label": label})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("head, dataset, label", [("sigmoid", "circle", 1), ("softmax", "blobs", 2),
                                                  ("one_vs_all", "xor", 0), ("linear", "plane", 0.3)])
def test_backward_gradients_equal_finite_differences_through_http(client, new_session, head,
                                                                  dataset, label):
    snap = new_session(dataset=dataset, head=head, features=["x1", "x2", "x1x2"],
                       hidden=[{"units": 3, "activation": "tanh"}, {"units": 2, "activation": "elu"}])
    sid = snap["id"]
    point = [1.3, -0.7]
    result = trace(client, sid, point, label)
    grads = {(step["node"], g["from"]): g["grad"] for step in result["backward"]
             for g in step["weight_grads"]}
    biases = {step["node"]: step["bias_grad"] for step in result["backward"]}
    checked = 0
    for (node, src), grad in list(grads.items())[::4]:  # a spread of weights in every layer
        layer, to = map(int, node.split(":"))
        frm = int(src.split(":")[1])
        w = snap["weights"][layer - 1][frm][to]
        losses = []
        for value in (w + H, w - H):
            client.patch(f"/api/sessions/{sid}/weight",
                         json={"layer": layer - 1, "from": frm, "to": to, "value": value})
            losses.append(trace(client, sid, point, label)["loss"])
        client.patch(f"/api/sessions/{sid}/weight",
                     json={"layer": layer - 1, "from": frm, "to": to, "value": w})
        assert grad == pytest.approx((losses[0] - losses[1]) / (2 * H), rel=1e-4, abs=1e-7)
        checked += 1
    node = result["backward"][0]["node"]
    layer, j = map(int, node.split(":"))
    b = snap["biases"][layer - 1][j]
    losses = []
    for value in (b + H, b - H):
        client.patch(f"/api/sessions/{sid}/bias", json={"layer": layer - 1, "node": j, "value": value})
        losses.append(trace(client, sid, point, label)["loss"])
    assert biases[node] == pytest.approx((losses[0] - losses[1]) / (2 * H), rel=1e-4, abs=1e-7)
    assert checked >= 4


def test_example_step_is_one_sgd_update_by_the_traced_gradients(client, new_session):
    snap = new_session(dataset="xor", learning_rate=0.1, optimizer="adam")
    sid = snap["id"]
    result = trace(client, sid, [2.0, -1.0], 1)
    r = client.post(f"/api/sessions/{sid}/example_step", json={"point": [2.0, -1.0], "label": 1})
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["step"] == 0  # a manual nudge, not a training step
    for step in result["backward"]:
        layer, to = map(int, step["node"].split(":"))
        for g in step["weight_grads"]:
            frm = int(g["from"].split(":")[1])
            expected = snap["weights"][layer - 1][frm][to] - 0.1 * g["grad"]
            assert after["weights"][layer - 1][frm][to] == pytest.approx(expected, abs=1e-12)
        assert after["biases"][layer - 1][to] == pytest.approx(
            snap["biases"][layer - 1][to] - 0.1 * step["bias_grad"], abs=1e-12)
    assert trace(client, sid, [2.0, -1.0], 1)["loss"] < result["loss"]


def test_example_step_refuses_a_bad_label(client, new_session):
    sid = new_session(dataset="circle")["id"]
    before = client.get(f"/api/sessions/{sid}").json()
    r = client.post(f"/api/sessions/{sid}/example_step", json={"point": [0, 0], "label": 3})
    assert r.status_code == 422 and "0..1" in r.json()["message"]
    assert client.get(f"/api/sessions/{sid}").json() == before


def test_dead_units_found_on_a_network_built_to_have_them(client, new_session):
    snap = new_session(dataset="circle", init="playground",
                       hidden=[{"units": 4, "activation": "relu"}, {"units": 2, "activation": "relu"}])
    sid = snap["id"]
    assert snap["diagnostics"]["dead_units"] == []
    r = client.patch(f"/api/sessions/{sid}/bias", json={"layer": 0, "node": 1, "value": -50})
    assert r.json()["diagnostics"]["dead_units"] == ["1:1"]
    # a dead unit stays dead: training never moves its incoming weights
    w = [row[1] for row in r.json()["weights"][0]]
    after = client.post(f"/api/sessions/{sid}/step", json={"epochs": 3}).json()
    assert [row[1] for row in after["weights"][0]] == w
    assert "1:1" in after["diagnostics"]["dead_units"]


def test_gradient_sizes_vanish_in_deep_sigmoid_net_not_in_shallow_relu(client, new_session):
    deep = new_session(dataset="circle", init="xavier",
                       hidden=[{"units": 8, "activation": "sigmoid"}] * 8)
    sid = deep["id"]
    snap = client.post(f"/api/sessions/{sid}/step", json={"epochs": 3}).json()
    sizes = [p["gradient_sizes"] for p in snap["history"]]
    assert all(len(s) == 9 for s in sizes) and len(sizes) == 2
    assert all(s[0] < 1e-3 * s[-1] for s in sizes)  # the series, at every point
    assert snap["diagnostics"]["gradient_flag"] == "vanishing"
    assert snap["diagnostics"]["gradient_cause"] == "depth"
    shallow = new_session(dataset="circle", init="he",
                          hidden=[{"units": 8, "activation": "relu"}] * 2)
    snap = client.post(f"/api/sessions/{shallow['id']}/step", json={"epochs": 3}).json()
    assert snap["diagnostics"]["gradient_flag"] is None
    assert all(p["gradient_sizes"][0] > 1e-2 * p["gradient_sizes"][-1] for p in snap["history"])


def test_confusion_matrix_counts_the_test_set(client, new_session):
    snap = new_session(dataset="blobs", classes=4, hidden=[{"units": 8, "activation": "relu"}],
                       optimizer="adam")
    snap = client.post(f"/api/sessions/{snap['id']}/step", json={"epochs": 10}).json()
    confusion = snap["diagnostics"]["confusion"]
    n_test = len(client.get(f"/api/sessions/{snap['id']}/data").json()["test"]["y"])
    assert len(confusion) == 4 and all(len(row) == 4 for row in confusion)
    assert sum(map(sum, confusion)) == n_test
    diagonal = sum(confusion[k][k] for k in range(4))
    assert diagonal / n_test == pytest.approx(snap["metrics"]["test_accuracy"])
    regression = new_session(dataset="plane")
    assert regression["diagnostics"]["confusion"] is None


def step(client, sid, **body):
    response = client.post(f"/api/sessions/{sid}/step", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_deep_sigmoid_net_at_the_default_rate_vanishes_by_depth(client, new_session):
    sid = new_session(hidden=[{"units": 4, "activation": "sigmoid"}] * 8)["id"]
    d = step(client, sid, epochs=5)["diagnostics"]
    assert (d["gradient_flag"], d["gradient_cause"]) == ("vanishing", "depth")


def test_a_too_high_rate_saturates_a_shallow_tanh_net(client, new_session):
    sid = new_session(learning_rate=10, hidden=[{"units": 4, "activation": "tanh"},
                                                {"units": 2, "activation": "tanh"}])["id"]
    d = step(client, sid, epochs=30)["diagnostics"]
    assert (d["gradient_flag"], d["gradient_cause"]) == ("vanishing", "saturation")


def test_switching_activations_is_not_read_as_exploding_gradients(client, new_session):
    sigmoid = [{"units": 4, "activation": "sigmoid"}] * 6
    sid = new_session(hidden=sigmoid)["id"]
    for _ in range(5):
        step(client, sid, epochs=20)
    relu = [{"units": 4, "activation": "relu"}] * 6
    assert client.patch(f"/api/sessions/{sid}/config", json={"hidden": relu}).status_code == 200
    snap = step(client, sid, steps=1)
    sizes, first = snap["diagnostics"]["gradient_sizes"], snap["history"][0]["gradient_sizes"]
    # against the sigmoid network's first record the growth would look unbounded ...
    assert max(s / f for s, f in zip(sizes, first)) > EXPLODING_GROWTH
    # ... but growth is measured only since the change
    assert snap["diagnostics"]["gradient_flag"] != "exploding"


def test_a_layer_of_dead_units_is_reported_as_blocking(client, new_session):
    sid = new_session(hidden=[{"units": 4, "activation": "relu"},
                              {"units": 2, "activation": "relu"}])["id"]
    assert step(client, sid, epochs=1)["diagnostics"]["gradient_flag"] != "blocked"
    for node in (0, 1):  # every unit of layer 2 (hidden index 1)
        r = client.patch(f"/api/sessions/{sid}/bias", json={"layer": 1, "node": node,
                                                            "value": -1000})
        assert r.status_code == 200
    d = r.json()["diagnostics"]
    assert (d["gradient_flag"], d["blocked_layer"]) == ("blocked", 2)
    assert d["dead_units"] == ["2:0", "2:1"]
    # nothing before the blocked layer learns
    before = r.json()["weights"][:2]
    assert step(client, sid, epochs=2)["weights"][:2] == before


SEVEN = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]


def test_overfitting_is_flagged_when_the_test_loss_climbs_away(client, new_session):
    sid = new_session(dataset="spiral", features=SEVEN, noise=10, data_seed=3)["id"]
    assert step(client, sid, epochs=50)["diagnostics"]["overfitting"] is None
    for _ in range(9):
        snap = step(client, sid, epochs=50)
    o, m = snap["diagnostics"]["overfitting"], snap["metrics"]
    assert o == {"train_loss": m["train_loss"], "test_loss": m["test_loss"],
                 "gap": pytest.approx(m["test_loss"] - m["train_loss"])}
    lowest = min(p["test_loss"] for p in snap["history"])
    assert o["gap"] >= 0.1 and o["test_loss"] > lowest + 0.02
    # a change starts the comparison afresh
    after = client.patch(f"/api/sessions/{sid}/config", json={"learning_rate": 0.01}).json()
    assert after["diagnostics"]["overfitting"] is None


def test_a_well_trained_circle_is_not_overfitting(client, new_session):
    sid = new_session()["id"]
    for _ in range(10):
        snap = step(client, sid, epochs=50)
    assert snap["metrics"]["test_loss"] < 0.05
    assert snap["diagnostics"]["overfitting"] is None
