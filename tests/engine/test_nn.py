"""The engine's math against finite differences, and structural edits against the rule
"change only what you must"."""

import numpy as np
import pytest

from playground.engine.activations import ACTIVATIONS
from playground.engine.heads import HEADS
from playground.engine.nn import HiddenLayer, Network
from playground.engine.regularizers import REGULARIZERS, penalty

H = 1e-6


def numeric_grad(f, theta: np.ndarray) -> np.ndarray:
    """Central differences of scalar f over every entry of theta (modified in place)."""
    g = np.zeros_like(theta)
    for i in range(theta.size):
        old = theta[i]
        theta[i] = old + H
        up = f()
        theta[i] = old - H
        down = f()
        theta[i] = old
        g[i] = (up - down) / (2 * H)
    return g


def labels_for(head_id: str, n: int, classes: int, rng) -> np.ndarray:
    if head_id == "linear":
        return rng.uniform(-1, 1, n)
    return rng.integers(0, classes, n).astype(np.float64)


def make_net(activation: str, head_id: str, classes: int = 3, seed: int = 0, init="xavier"):
    rng = np.random.default_rng(seed)
    head = HEADS[head_id]
    hidden = [HiddenLayer(4, activation), HiddenLayer(3, activation)]
    net = Network.build(3, hidden, head, head.units(classes), init, rng)
    # nonzero biases keep relu's kink at 0 away from the examples (a dead layer gives z = 0
    # exactly, where finite differences see half a derivative); slopes off their start value
    for b in net.biases:
        b[:] = rng.uniform(-0.3, 0.3, b.shape)
    for s in net.slopes:
        if s is not None:
            s[:] = rng.uniform(0.05, 0.5, s.shape)
    x = rng.normal(0, 1.5, (7, 3))
    y = labels_for(head_id, 7, 2 if head_id == "sigmoid" else classes, rng)
    return net, x, head.targets(y, head.units(classes)), y


# ------------------------------------------------------------------ activations
@pytest.mark.parametrize("act_id", list(ACTIVATIONS))
def test_activation_derivative_matches_finite_differences(act_id):
    act = ACTIVATIONS[act_id]
    z = np.linspace(-5, 5, 101)
    # the kink of relu-like functions at 0 (Noisy ReLU's at -noise) has no derivative
    z = z[(np.abs(z) > 1e-3) & (np.abs(z + 0.2) > 1e-3)]
    slope = np.full_like(z, 0.2)
    a = act.f(z, slope)
    numeric = (act.f(z + H, slope) - act.f(z - H, slope)) / (2 * H)
    np.testing.assert_allclose(act.df(z, a, slope), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(
    "act_id, z, expected",
    [
        ("linear", [-2.0, 3.0], [-2.0, 3.0]),
        ("sigmoid", [0.0, 2.0], [0.5, 1 / (1 + np.exp(-2.0))]),
        ("tanh", [0.5], [np.tanh(0.5)]),
        ("relu", [-5.0, 0.0, 2.0], [0.0, 0.0, 2.0]),
        ("leaky_relu", [-5.0, 2.0], [-0.05, 2.0]),
        ("prelu", [-4.0, 2.0], [-1.0, 2.0]),  # initial slope 0.25
        ("elu", [-1.0, 2.0], [np.exp(-1.0) - 1, 2.0]),
        ("softplus", [0.0, 1.0], [np.log(2.0), np.log(1 + np.e)]),
        ("swish", [1.0], [1 / (1 + np.exp(-1.0))]),
        ("gelu", [1.0], [0.5 * (1 + np.tanh(np.sqrt(2 / np.pi) * (1 + 0.044715)))]),
        ("rrelu", [-4.0, 2.0], [-1.0, 2.0]),        # here with the slope 0.25 given
        ("noisy_relu", [-4.0, -0.1, 2.0], [0.0, 0.15, 2.25]),   # here with noise 0.25
    ],
)
def test_activation_values(act_id, z, expected):
    z = np.array(z)
    np.testing.assert_allclose(ACTIVATIONS[act_id].f(z, np.full_like(z, 0.25)), expected, rtol=1e-12)


def test_activations_do_not_overflow():
    z = np.array([-1000.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        for act in ACTIVATIONS.values():
            a = act.f(z, np.full_like(z, 0.25))
            assert np.isfinite(act.df(z, a, np.full_like(z, 0.25))).all(), act.id


# ------------------------------------------------------------------ heads and losses
@pytest.mark.parametrize("head_id", list(HEADS))
@pytest.mark.parametrize("act_id", list(ACTIVATIONS))
def test_backward_matches_finite_differences(act_id, head_id):
    net, x, t, _ = make_net(act_id, head_id)
    grads = net.flat_gradients(net.backward(net.forward(x), t))
    numeric = numeric_grad(lambda: net.head.loss(net.forward(x).logits, t), net.theta)
    np.testing.assert_allclose(grads, numeric, rtol=1e-5, atol=1e-7)


def test_prelu_slopes_get_gradients():
    net, x, t, _ = make_net("prelu", "softmax")
    g = net.backward(net.forward(x), t)
    assert all(s is not None and np.abs(s).sum() > 0 for s in g.slopes)
    assert ("s", 0) in net.param_keys() and ("s", 1) in net.param_keys()


@pytest.mark.parametrize("reg_id", ["l1", "l2"])
def test_regularizer_gradient_matches_finite_differences_on_weights_only(reg_id):
    net, x, t, _ = make_net("tanh", "sigmoid")
    reg, rate = REGULARIZERS[reg_id], 0.03

    def total():
        return net.head.loss(net.forward(x).logits, t) + penalty(reg, rate, net.weights)

    analytic = net.flat_gradients(net.backward(net.forward(x), t))
    analytic += rate * reg.grad(net.theta) * net.weight_mask()
    np.testing.assert_allclose(analytic, numeric_grad(total, net.theta), rtol=1e-5, atol=1e-7)


def test_regularizers_values():
    w = [np.array([[1.0, -2.0]]), np.array([[3.0]])]
    assert penalty(REGULARIZERS["l1"], 0.1, w) == pytest.approx(0.1 * 6)
    assert penalty(REGULARIZERS["l2"], 0.1, w) == pytest.approx(0.1 / 2 * 14)
    assert penalty(REGULARIZERS["none"], 0.1, w) == 0.0


def test_losses_by_hand():
    z = np.array([[0.0], [2.0]])
    t = np.array([[1.0], [0.0]])
    expected = np.mean([np.log(2.0), np.log(1 + np.exp(2.0))])
    assert HEADS["sigmoid"].loss(z, t) == pytest.approx(expected)
    zk = np.array([[1.0, 2.0, 3.0]])
    tk = np.array([[0.0, 0.0, 1.0]])
    assert HEADS["softmax"].loss(zk, tk) == pytest.approx(-np.log(np.exp(3) / np.exp(zk).sum()))
    ova = -(np.log(1 - 1 / (1 + np.exp(-1))) + np.log(1 - 1 / (1 + np.exp(-2)))
            + np.log(1 / (1 + np.exp(-3)))) / 3
    assert HEADS["one_vs_all"].loss(zk, tk) == pytest.approx(ova)
    assert HEADS["linear"].loss(np.array([[1.0], [0.0]]), np.array([[0.5], [1.0]])) == \
        pytest.approx((0.25 + 1.0) / 2)


def test_losses_are_finite_for_extreme_logits():
    z = np.array([[1e4, -1e4], [-1e4, 1e4]])
    t = np.array([[0.0, 1.0], [1.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        for head_id in ("softmax", "one_vs_all"):
            loss = HEADS[head_id].loss(z, t)
            assert np.isfinite(loss) and loss > 1e3
        assert np.isfinite(HEADS["sigmoid"].loss(z[:, :1], t[:, :1]))


def test_softmax_probabilities_sum_to_one_and_ova_need_not():
    net, x, _, _ = make_net("relu", "softmax", classes=4)
    np.testing.assert_allclose(net.forward(x).output.sum(axis=1), 1.0, rtol=1e-12)
    net, x, _, _ = make_net("relu", "one_vs_all", classes=4)
    assert not np.allclose(net.forward(x).output.sum(axis=1), 1.0)


def test_sigmoid_threshold_changes_prediction_not_loss():
    head = HEADS["sigmoid"]
    out = np.array([[0.3], [0.6], [0.8]])
    assert head.predict(out, 0.5).tolist() == [0, 1, 1]
    assert head.predict(out, 0.7).tolist() == [0, 0, 1]


# ------------------------------------------------------------------ forward
def test_forward_follows_the_contract_indexing():
    """z_j = sum_i a_i w[i][j] + b_j, with weights[l][i][j] from node i to node j."""
    net, x, _, _ = make_net("tanh", "sigmoid")
    fwd = net.forward(x[:1])
    a0 = x[0]
    w, b = net.weights[0], net.biases[0]
    for j in range(4):
        z = sum(a0[i] * w[i][j] for i in range(3)) + b[j]
        assert fwd.z[1][0, j] == pytest.approx(z)
        assert fwd.a[1][0, j] == pytest.approx(np.tanh(z))
    assert len(fwd.a) == net.depth + 1 and fwd.output.shape == (1, 1)


def test_dropout_only_when_asked_and_inverted():
    rng = np.random.default_rng(3)
    net = Network.build(2, [HiddenLayer(16, "relu", dropout=0.5)], HEADS["sigmoid"], 1, "he", rng)
    x = rng.normal(size=(400, 2))
    plain = net.forward(x)
    np.testing.assert_array_equal(plain.output, net.forward(x).output)  # evaluation: no dropout
    dropped = net.forward(x, np.random.default_rng(1))
    mask = dropped.mask[1]
    assert set(np.unique(mask)) == {0.0, 2.0}  # inverted: kept units scaled by 1/(1 - 0.5)
    assert 0.4 < (mask == 0).mean() < 0.6
    np.testing.assert_allclose(dropped.a[1], plain.a[1] * mask)


def test_rrelu_and_noisy_relu_are_random_in_training_only():
    """PyTorch's RReLU: slopes ~ U(1/8, 1/3) per element in training, their mean 11/48 in
    evaluation; Noisy ReLU: max(0, z + N(0, sigma^2)) in training, max(0, z) otherwise. The
    draws come from the generator given: the same seed, the same run."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2000, 2))
    for activation, sigma in (("rrelu", 0.1), ("noisy_relu", 0.4)):
        layer = HiddenLayer(8, activation, noise_sigma=sigma)
        net = Network.build(2, [layer], HEADS["sigmoid"], 1, "he", np.random.default_rng(1))
        evaluation = net.forward(x)
        z = evaluation.z[1]
        if activation == "rrelu":
            np.testing.assert_array_equal(evaluation.a[1], np.where(z > 0, z, (11 / 48) * z))
        else:
            np.testing.assert_array_equal(evaluation.a[1], np.maximum(z, 0.0))
        trained = net.forward(x, np.random.default_rng(7))
        again = net.forward(x, np.random.default_rng(7))
        np.testing.assert_array_equal(trained.a[1], again.a[1])
        drawn = trained.p[1]
        assert drawn.shape == z.shape
        if activation == "rrelu":
            assert 1 / 8 <= drawn.min() and drawn.max() <= 1 / 3
            assert abs(drawn.mean() - 11 / 48) < 0.005 and drawn.std() > 0.05
            np.testing.assert_array_equal(trained.a[1], np.where(z > 0, z, drawn * z))
        else:
            assert abs(drawn.mean()) < 0.02 and abs(drawn.std() - sigma) < 0.02
            np.testing.assert_array_equal(trained.a[1], np.maximum(z + drawn, 0.0))


@pytest.mark.parametrize("activation", ["rrelu", "noisy_relu"])
def test_backward_of_a_random_activation_matches_finite_differences_for_a_fixed_draw(
        activation):
    rng = np.random.default_rng(5)
    hidden = [HiddenLayer(5, activation, 0.2, noise_sigma=0.5), HiddenLayer(3, activation)]
    net = Network.build(2, hidden, HEADS["softmax"], 3, "xavier", rng)
    x = rng.normal(size=(9, 2)) * 2
    t = HEADS["softmax"].targets(rng.integers(0, 3, 9), 3)
    analytic = net.flat_gradients(net.backward(net.forward(x, np.random.default_rng(9)), t))

    def loss():
        return net.head.loss(net.forward(x, np.random.default_rng(9)).logits, t)

    np.testing.assert_allclose(analytic, numeric_grad(loss, net.theta), rtol=1e-5, atol=1e-7)


def test_backward_with_dropout_matches_finite_differences_for_a_fixed_mask():
    rng = np.random.default_rng(5)
    net = Network.build(2, [HiddenLayer(5, "tanh", 0.3)], HEADS["sigmoid"], 1, "xavier", rng)
    x = rng.normal(size=(6, 2))
    t = HEADS["sigmoid"].targets(rng.integers(0, 2, 6), 1)
    fwd = net.forward(x, np.random.default_rng(9))
    analytic = net.flat_gradients(net.backward(fwd, t))

    def loss():
        return net.head.loss(net.forward(x, np.random.default_rng(9)).logits, t)

    np.testing.assert_allclose(analytic, numeric_grad(loss, net.theta), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("init_id, low, high, bias", [("playground", -0.5, 0.5, 0.1)])
def test_playground_init(init_id, low, high, bias):
    net = Network.build(2, [HiddenLayer(8, "tanh")], HEADS["sigmoid"], 1, init_id,
                        np.random.default_rng(0))
    for w, b in zip(net.weights, net.biases):
        assert low <= w.min() and w.max() <= high
        np.testing.assert_array_equal(b, bias)


def test_xavier_and_he_scales():
    rng = np.random.default_rng(0)
    big = Network.build(200, [HiddenLayer(16, "tanh")], HEADS["sigmoid"], 1, "he", rng)
    assert big.weights[0].std() == pytest.approx(np.sqrt(2 / 200), rel=0.1)
    xav = Network.build(200, [HiddenLayer(16, "tanh")], HEADS["sigmoid"], 1, "xavier", rng)
    bound = np.sqrt(6 / 216)
    assert np.abs(xav.weights[0]).max() <= bound
    assert xav.weights[0].std() == pytest.approx(bound / np.sqrt(3), rel=0.1)


# ------------------------------------------------------------------ structural edits
def deep_net(seed=0):
    rng = np.random.default_rng(seed)
    hidden = [HiddenLayer(3, "tanh"), HiddenLayer(4, "prelu"), HiddenLayer(2, "relu")]
    return Network.build(2, hidden, HEADS["sigmoid"], 1, "xavier", rng), rng


def test_views_share_theta():
    net, _ = deep_net()
    net.set_weight(1, 2, 3, 7.5)
    assert 7.5 in net.theta
    net.theta[:] = 0.0
    assert all((w == 0).all() for w in net.weights)


def test_insert_layer_keeps_upstream_and_downstream():
    net, rng = deep_net()
    before = net.copy()
    x = rng.normal(size=(5, 2))
    kept = net.insert_layer(1, HiddenLayer(5, "sigmoid"), rng)
    assert net.sizes == [2, 3, 5, 4, 2, 1]
    np.testing.assert_array_equal(net.weights[0], before.weights[0])  # upstream untouched
    np.testing.assert_array_equal(net.biases[0], before.biases[0])
    np.testing.assert_array_equal(net.biases[2], before.biases[1])  # next layer keeps biases
    np.testing.assert_array_equal(net.slopes[2], before.slopes[1])
    for l in (2, 3):
        np.testing.assert_array_equal(net.weights[l + 1], before.weights[l])
    np.testing.assert_array_equal(net.forward(x).a[1], before.forward(x).a[1])
    assert kept[("W", 0)] == ("W", 0) and ("W", 1) not in kept
    assert kept[("b", 1)] == ("b", 2) and kept[("W", 2)] == ("W", 3) and kept[("s", 1)] == ("s", 2)


def test_remove_layer_joins_neighbours():
    net, rng = deep_net()
    before = net.copy()
    kept = net.remove_layer(1, rng)
    assert net.sizes == [2, 3, 2, 1]
    np.testing.assert_array_equal(net.weights[0], before.weights[0])
    assert net.weights[1].shape == (3, 2)
    np.testing.assert_array_equal(net.biases[1], before.biases[2])
    np.testing.assert_array_equal(net.weights[2], before.weights[3])
    assert net.slopes == [None, None]
    assert kept[("W", 3)] == ("W", 2) and kept[("b", 2)] == ("b", 1) and ("W", 1) not in kept


def test_add_and_remove_neurons_keep_the_other_weights():
    net, rng = deep_net()
    before = net.copy()
    net.add_neurons(1, 2, rng)
    assert net.sizes == [2, 3, 6, 2, 1]
    np.testing.assert_array_equal(net.weights[1][:, :4], before.weights[1])
    np.testing.assert_array_equal(net.weights[2][:4], before.weights[2])
    np.testing.assert_array_equal(net.biases[1][:4], before.biases[1])
    np.testing.assert_array_equal(net.slopes[1], np.concatenate([before.slopes[1], [0.25, 0.25]]))
    net.remove_neuron(1, 0)
    np.testing.assert_array_equal(net.weights[1][:, :3], before.weights[1][:, 1:])
    np.testing.assert_array_equal(net.weights[2][:3], before.weights[2][1:])
    np.testing.assert_array_equal(net.weights[0], before.weights[0])
    np.testing.assert_array_equal(net.weights[3], before.weights[3])


def test_remove_last_neuron_is_refused():
    net, rng = deep_net()
    net.remove_neuron(2, 0)
    with pytest.raises(ValueError, match="at least 1"):
        net.remove_neuron(2, 0)


def test_set_params_checks_shapes_and_finiteness_and_changes_nothing_when_refused():
    net, _ = deep_net()
    before = net.theta.copy()
    bad = [w.tolist() for w in net.weights]
    bad[1] = [[1.0]]
    with pytest.raises(ValueError, match=r"weights\[1\] must have shape \[3, 4\]"):
        net.set_params(bad, [b.tolist() for b in net.biases])
    nan = [w.tolist() for w in net.weights]
    nan[0][0][0] = float("nan")
    with pytest.raises(ValueError, match="finite"):
        net.set_params(nan, [b.tolist() for b in net.biases])
    np.testing.assert_array_equal(net.theta, before)
    new = [np.full(w.shape, 0.5) for w in net.weights]
    net.set_params(new, [b * 0 for b in net.biases])
    assert all((w == 0.5).all() for w in net.weights)


def test_set_inputs_keeps_rows_of_kept_features():
    net, rng = deep_net()
    before = net.copy()
    net.set_inputs([1, None, 0], rng)  # features (x2, new, x1)
    np.testing.assert_array_equal(net.weights[0][0], before.weights[0][1])
    np.testing.assert_array_equal(net.weights[0][2], before.weights[0][0])
    np.testing.assert_array_equal(net.weights[1], before.weights[1])
    assert net.sizes[0] == 3


def test_set_activation_adds_and_drops_slopes():
    net, _ = deep_net()
    net.set_activation(0, "prelu")
    np.testing.assert_array_equal(net.slopes[0], [0.25] * 3)
    net.set_activation(1, "elu")
    assert net.slopes[1] is None
    assert ("s", 1) not in net.param_keys()
