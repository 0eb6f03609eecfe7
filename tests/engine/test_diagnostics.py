"""Diagnostics: dead units on a network built to have them, vanishing gradients in a deep
sigmoid net and not in a shallow ReLU one, the confusion matrix by hand."""

import numpy as np

from playground.engine.datasets import make_data
from playground.engine.diagnostics import (
    confusion_matrix,
    dead_units,
    gradient_flag,
    gradient_sizes,
)
from playground.engine.features import feature_matrix
from playground.engine.heads import HEADS
from playground.engine.nn import HiddenLayer, Network


def circle(n=200):
    data = make_data("circle", n, 0, 50, 3)
    x = feature_matrix(data.x_train, ["x1", "x2"])
    return x, HEADS["sigmoid"].targets(data.y_train, 1)


def test_dead_unit_found_when_its_bias_is_very_negative():
    x, _ = circle()
    net = Network.build(2, [HiddenLayer(4, "relu"), HiddenLayer(3, "relu")], HEADS["sigmoid"], 1,
                        "playground", np.random.default_rng(0))
    assert dead_units(net, x) == []
    net.set_bias(0, 2, -100.0)
    net.set_bias(1, 0, -100.0)
    assert dead_units(net, x) == ["1:2", "2:0"]


def test_a_dead_unit_gets_no_gradient():
    x, t = circle()
    net = Network.build(2, [HiddenLayer(4, "relu")], HEADS["sigmoid"], 1, "he",
                        np.random.default_rng(0))
    net.set_bias(0, 1, -100.0)
    g = net.backward(net.forward(x), t)
    assert (g.weights[0][:, 1] == 0).all() and g.biases[0][1] == 0


def test_vanishing_gradients_in_deep_sigmoid_net_not_in_shallow_relu():
    x, t = circle()
    deep = Network.build(2, [HiddenLayer(8, "sigmoid")] * 8, HEADS["sigmoid"], 1, "xavier",
                         np.random.default_rng(1))
    sizes = gradient_sizes(deep, x, t)
    assert len(sizes) == 9
    assert sizes[0] < 1e-3 * sizes[-1]
    assert gradient_flag(sizes, None).kind == "vanishing"
    shallow = Network.build(2, [HiddenLayer(8, "relu")] * 2, HEADS["sigmoid"], 1, "he",
                            np.random.default_rng(1))
    sizes = gradient_sizes(shallow, x, t)
    assert gradient_flag(sizes, None).kind is None
    assert sizes[0] > 0.05 * sizes[-1]


def test_exploding_flag():
    assert gradient_flag([5e3, 1.0, 1.0], None).kind == "exploding"
    assert gradient_flag([50.0, 40.0, 30.0], [0.1, 0.1, 0.1]).kind == "exploding"
    assert gradient_flag([0.2, 0.1, 0.1], [0.1, 0.1, 0.1]).kind is None
    assert gradient_flag([None, 1.0], None).kind == "exploding"


def test_confusion_matrix_by_hand():
    labels = np.array([0, 0, 1, 2, 2, 2])
    predicted = np.array([0, 1, 1, 2, 0, 2])
    assert confusion_matrix(predicted, labels, 3) == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
