"""Diagnostics: dead units on a network built to have them, vanishing gradients in a deep
sigmoid net and not in a shallow ReLU one, a layer that blocks the gradient, saturation,
the cause of a vanishing flag, overfitting and the confusion matrix by hand."""

import numpy as np
import pytest

from playground.engine.datasets import make_data
from playground.engine.diagnostics import (
    blocked_layer,
    confusion_matrix,
    dead_units,
    gradient_flag,
    gradient_sizes,
    overfitting,
    saturation,
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


# ------------------------------------------------------------- blocked, saturated, overfit
def relu_net(activation="relu"):
    return Network.build(2, [HiddenLayer(4, activation), HiddenLayer(3, activation)],
                         HEADS["sigmoid"], 1, "he", np.random.default_rng(0))


def test_a_layer_of_dead_units_blocks_the_gradient():
    x, t = circle()
    net = relu_net()
    assert blocked_layer(net, net.forward(x)) is None
    for j in range(3):
        net.set_bias(1, j, -100.0)  # every unit of layer 2 (hidden index 1)
    assert blocked_layer(net, net.forward(x)) == 2
    assert gradient_sizes(net, x, t)[0] == 0.0  # nothing reaches the first layer
    flag = gradient_flag(gradient_sizes(net, x, t), None, blocked_layer(net, net.forward(x)))
    assert (flag.kind, flag.blocked_layer) == ("blocked", 2)
    net.set_bias(1, 0, 0.0)  # one unit alive: the gradient passes
    assert blocked_layer(net, net.forward(x)) is None


def test_a_leaky_unit_never_blocks():
    x, _ = circle()
    net = relu_net("leaky_relu")
    for j in range(3):
        net.set_bias(1, j, -100.0)
    assert blocked_layer(net, net.forward(x)) is None


def test_saturation_is_the_share_of_units_on_a_flat_end():
    x, _ = circle()
    net = Network.build(2, [HiddenLayer(4, "tanh"), HiddenLayer(3, "relu")], HEADS["sigmoid"], 1,
                        "playground", np.random.default_rng(0))
    assert saturation(net, net.forward(x)) < 0.2
    net.weights[0][...] = 50.0 * np.sign(net.weights[0])  # |z| huge almost everywhere
    assert saturation(net, net.forward(x)) > 0.9
    assert saturation(relu_net(), relu_net().forward(x)) is None  # no sigmoid or tanh layer


def test_vanishing_names_its_cause():
    sizes = [1e-6, 1e-3, 1.0]
    assert gradient_flag(sizes, None, None, 0.9).cause == "saturation"
    assert gradient_flag(sizes, None, None, 0.1).cause == "depth"
    assert gradient_flag(sizes, None, None, None).cause == "depth"
    assert gradient_flag([1.0, 1.0, 1.0], None, None, 0.9).cause is None


def test_growth_is_measured_from_the_baseline_only():
    assert gradient_flag([50.0, 40.0, 30.0], [0.1, 0.1, 0.1]).kind == "exploding"
    assert gradient_flag([50.0, 40.0, 30.0], [40.0, 30.0, 30.0]).kind is None
    assert gradient_flag([50.0, 40.0, 30.0], [0.1, 0.1]).kind is None  # another depth


def test_overfitting_needs_a_wide_gap_and_a_rising_test_loss():
    assert overfitting(0.01, 0.40, 0.30) == {"train_loss": 0.01, "test_loss": 0.40,
                                             "gap": pytest.approx(0.39)}
    assert overfitting(0.01, 0.40, 0.39) is None   # not rising: still as good as it was
    assert overfitting(0.35, 0.44, 0.30) is None   # the gap is small
    assert overfitting(0.30, 0.41, 0.20) is None   # test below 1.5 x train + 0.02
    assert overfitting(0.01, 0.40, None) is None   # nothing recorded since the last change
    assert overfitting(None, 0.40, 0.30) is None


def test_a_vanishing_flag_does_not_flicker_at_the_threshold():
    """Flagged below 1e-3; cleared only above 1e-2, so a ratio hovering near 1e-3 stays put."""
    hovering = [1.5e-3, 1.0, 1.0]
    assert gradient_flag(hovering, None).kind is None
    assert gradient_flag(hovering, None, was_vanishing=True).kind == "vanishing"
    assert gradient_flag([2e-2, 1.0, 1.0], None, was_vanishing=True).kind is None
