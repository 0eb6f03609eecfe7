"""The per-example trace: its numbers are the network's, its formulas add up, and its
backward gradients are those of the one example's loss (checked by finite differences)."""

import re

import numpy as np
import pytest

from playground.engine.features import feature_matrix
from playground.engine.heads import HEADS
from playground.engine.nn import HiddenLayer, Network
from playground.engine.trace import fmt, trace

FEATURES = ["x1", "x2", "x1x2"]


def net_for(head_id: str, classes: int = 3, activation: str = "tanh") -> Network:
    head = HEADS[head_id]
    rng = np.random.default_rng(4)
    hidden = [HiddenLayer(3, activation), HiddenLayer(2, "relu")]
    net = Network.build(len(FEATURES), hidden, head, head.units(classes), "playground", rng)
    return net


def test_forward_steps_follow_evaluation_order_and_values():
    net = net_for("sigmoid")
    result = trace(net, FEATURES, [1.5, -0.5])
    assert [s["node"] for s in result["forward"]] == ["1:0", "1:1", "1:2", "2:0", "2:1", "3:0"]
    x = feature_matrix(np.array([[1.5, -0.5]]), FEATURES)
    fwd = net.forward(x)
    for step in result["forward"]:
        l, j = map(int, step["node"].split(":"))
        assert step["value"] == fwd.a[l][0, j]
        assert step["z"] == pytest.approx(
            sum(i["value"] * i["weight"] for i in step["inputs"]) + step["bias"], abs=1e-12)
        assert [i["from"] for i in step["inputs"]] == [f"{l-1}:{i}" for i in range(net.sizes[l - 1])]
    assert [f["value"] for f in result["features"]] == [1.5, -0.5, -0.75]
    assert result["output"]["values"] == [fwd.output[0, 0]]
    assert result["output"]["prediction"] == int(fwd.output[0, 0] >= 0.5)


def test_formula_has_the_numbers_filled_in():
    net = net_for("sigmoid")
    step = trace(net, FEATURES, [1.0, 2.0])["forward"][0]
    terms = " + ".join(f"{fmt(i['value'])}*{fmt(i['weight'])}" for i in step["inputs"])
    assert step["formula"] == (f"tanh({terms} + {fmt(step['bias'])}) = tanh({fmt(step['z'])}) "
                               f"= {fmt(step['value'])}")
    # each shown number is the value rounded to 3 decimals
    assert re.fullmatch(r"-?\d+\.\d{3}", fmt(step["z"])) or fmt(step["z"]) == "0"


def test_fmt():
    assert fmt(0.349) == "0.349"
    assert fmt(-1.2) == "-1.200"
    assert fmt(0) == "0"
    assert fmt(2.5e-5) == "2.5e-05"
    assert fmt(123456.0) == "1.23e+05"


@pytest.mark.parametrize("head_id, label", [("sigmoid", 1), ("softmax", 2), ("one_vs_all", 0),
                                            ("linear", -0.4)])
def test_backward_gradients_equal_finite_differences_of_the_example_loss(head_id, label):
    net = net_for(head_id, activation="prelu")
    point = [0.7, -1.3]
    result = trace(net, FEATURES, point, label=label)
    x = feature_matrix(np.array([point]), FEATURES)
    targets = net.head.targets(np.array([label]), net.sizes[-1])

    def loss():
        return net.head.loss(net.forward(x).logits, targets)

    assert result["loss"] == pytest.approx(loss())
    # backprop order: output layer first
    layers = [int(s["node"].split(":")[0]) for s in result["backward"]]
    assert layers == sorted(layers, reverse=True) and layers[0] == net.depth
    h = 1e-6
    for step in result["backward"]:
        l, j = map(int, step["node"].split(":"))
        for wg in step["weight_grads"]:
            i = int(wg["from"].split(":")[1])
            w = net.weights[l - 1]
            old = w[i, j]
            w[i, j] = old + h
            up = loss()
            w[i, j] = old - h
            down = loss()
            w[i, j] = old
            assert wg["grad"] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-8)
        b = net.biases[l - 1]
        old = b[j]
        b[j] = old + h
        up = loss()
        b[j] = old - h
        down = loss()
        b[j] = old
        assert step["bias_grad"] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-8)
        assert step["dz"] == step["bias_grad"]


def test_softmax_output_reports_probability_sum():
    net = net_for("softmax", classes=4)
    result = trace(net, FEATURES, [0.0, 1.0])
    assert result["output"]["probability_sum"] == pytest.approx(1.0)
    assert result["forward"][-1]["formula"].startswith("softmax: z = ")
    ova = trace(net_for("one_vs_all", classes=4), FEATURES, [0.0, 1.0])
    assert ova["output"]["probability_sum"] == pytest.approx(sum(ova["output"]["values"]))


def test_one_vs_all_units_are_written_as_the_sigmoids_they_are():
    result = trace(net_for("one_vs_all", classes=4), FEATURES, [0.5, -1.0])
    outputs = [s for s in result["forward"] if s["node"].startswith("3:")]
    assert len(outputs) == 4
    for step in outputs:
        assert step["activation"] == "one_vs_all"  # the head, as the output layer's id
        assert step["formula"].startswith("sigmoid(")
        assert f"= sigmoid({fmt(step['z'])}) = {fmt(step['value'])}" in step["formula"]
        assert step["value"] == pytest.approx(1.0 / (1.0 + np.exp(-step["z"])))
