"""The compiled engine with batch norm and with wide layers, against the NumPy reference:
the same parameters, optimizer state and running statistics after the same calls; the same
evaluation forward pass, heatmap grids and set measures."""

import numpy as np
import pytest

from playground.engine import kernels
from playground.engine.features import feature_matrix
from playground.engine.heads import HEADS
from playground.engine.heatmaps import grid_points
from playground.engine.nn import HiddenLayer, Network
from playground.engine.optimizers import make_optimizer
from playground.engine.training import Trainer

from .test_kernels import TOL, make_trainer, run

# A bias feeding a batch norm has a zero gradient in exact arithmetic (the norm subtracts
# the batch mean); what it gets is rounding noise, ~1e-17, which differs between the
# kernel's sums and BLAS's. SGD and momentum move it by lr times that noise; Adam divides
# the noise by sqrt(v) + eps ~ 1e-8 and moves it by ~1e-9 a step. Those biases (and the
# running means they shift) are held to this instead; nothing downstream sees them.
NOISE_TOL = 1e-7


@pytest.fixture(scope="module", autouse=True)
def compiled():
    assert kernels._compile(), kernels.disabled_reason()


def with_batch_norm(trainer: Trainer, layers=(0, 1)) -> Trainer:
    for k in layers:
        trainer.apply_edit(lambda t=trainer, k=k: t.net.set_batch_norm(k, True))
    return trainer


def pair(*args, layers=(0, 1), **kwargs) -> tuple[Trainer, Trainer]:
    """(compiled, reference) trainers alike, with batch norm on `layers`."""
    return tuple(with_batch_norm(make_trainer(*args, compiled=c, **kwargs), layers)
                 for c in (True, False))


def noisy_entries(net: Network) -> np.ndarray:
    """Where theta holds a bias that feeds a batch norm."""
    mask = np.zeros(net.theta.size, dtype=bool)
    for (kind, l), start, stop in net.layout:
        if kind == "b" and l < net.depth - 1 and net.hidden[l].batch_norm:
            mask[start:stop] = True
    return mask


def assert_same(a: Trainer, b: Trainer) -> None:
    """Parameters, optimizer state and running statistics to TOL (the noise-driven biases
    and means to NOISE_TOL under Adam); rng and counters exactly."""
    noisy = noisy_entries(a.net) if a.optimizer.id == "adam" else np.zeros(a.net.theta.size, bool)
    vectors = [("theta", a.net.theta, b.net.theta)]
    vectors += [(name, value, b.optimizer.state[name]) for name, value in a.optimizer.state.items()
                if value.shape == a.net.theta.shape]
    for name, x, y in vectors:
        np.testing.assert_allclose(x[~noisy], y[~noisy], rtol=0, atol=TOL, err_msg=name)
        np.testing.assert_allclose(x[noisy], y[noisy], rtol=0, atol=NOISE_TOL, err_msg=name)
    for k, layer in enumerate(a.net.hidden):
        if layer.batch_norm:
            mean_tol = NOISE_TOL if noisy.any() else TOL
            np.testing.assert_allclose(a.net.bn_mean[k], b.net.bn_mean[k], rtol=0, atol=mean_tol)
            np.testing.assert_allclose(a.net.bn_var[k], b.net.bn_var[k], rtol=0, atol=TOL)
        else:
            assert a.net.bn_mean[k] is None and b.net.bn_mean[k] is None
    assert a.rng.bit_generator.state == b.rng.bit_generator.state
    assert (a.step, a.epoch, a._cursor) == (b.step, b.epoch, b._cursor)


@pytest.mark.parametrize("batch", [7, 40])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "prelu", "rrelu",
                                        "noisy_relu"])
def test_batch_norm_trains_as_the_reference(activation, optimizer, batch):
    fast, slow = pair(activation, "softmax", optimizer, batch=batch)
    assert kernels.ready(fast.net, fast.optimizer) is not None
    start_var = fast.net.bn_var[1].copy()
    run(fast)
    run(slow)
    assert_same(fast, slow)
    assert np.abs(fast.net.gammas[0] - 1.0).max() > 1e-4     # gamma was learned
    assert np.abs(fast.net.bn_var[1] - start_var).max() > 1e-3  # the statistics moved


@pytest.mark.parametrize("head", list(HEADS))
def test_batch_norm_on_one_layer_with_dropout_and_a_penalty(head):
    fast, slow = pair("elu", head, "momentum", "l2", dropout=(0.3, 0.2), layers=(1,))
    run(fast)
    run(slow)
    assert fast.net.bn_mean[0] is None
    assert_same(fast, slow)


@pytest.mark.parametrize("batch", [1000, 2])
def test_batch_norm_full_batch_and_batches_of_two(batch):
    """Full batch; and batches of two, where each unit's two normalized values are +-1 and
    training is ill-conditioned (kept short here: SGD, few steps)."""
    fast, slow = pair("leaky_relu", "sigmoid", "sgd", batch=batch)
    calls = (("steps", 3), ("epochs", 1)) if batch == 2 else (("steps", 3), ("epochs", 4))
    run(fast, calls)
    run(slow, calls)
    assert_same(fast, slow)


def test_the_paths_take_turns_with_batch_norm():
    mixed, slow = pair("swish", "softmax", "momentum", dropout=(0.3, 0.0))
    mixed._run = Trainer._run.__get__(mixed)
    for use_kernels, steps in ((True, 4), (False, 5), (True, 11), (False, 1), (True, 8)):
        mixed.use_kernels = use_kernels
        mixed.run_steps(steps)
        slow.run_steps(steps)
        assert_same(mixed, slow)


def test_evaluation_grid_and_set_measure_use_the_running_statistics():
    """After training: a grid of the heatmaps' features, and the metrics' set measure
    (forward, gradient sizes through the norm in evaluation, dead units), by the kernel
    and by the reference."""
    trainer = with_batch_norm(make_trainer("relu", "softmax", "momentum"))
    run(trainer, (("epochs", 3),))
    net = trainer.net
    assert np.abs(net.bn_mean[0]).max() > 1e-3   # statistics that change the result
    x = feature_matrix(grid_points(30), ["x1", "x2"])
    fast, slow = kernels.forward(net, x, compiled_from=0), net.forward(x)
    assert fast.a[1].base is not None
    for l in range(1, 4):
        np.testing.assert_allclose(fast.z[l], slow.z[l], rtol=0, atol=TOL)
        np.testing.assert_allclose(fast.a[l], slow.a[l], rtol=0, atol=TOL)
    x, t = trainer.x, trainer.targets
    fast, slow = kernels.measure(net, x, t), kernels.measure(net, x, t, compiled_from=10**12)
    assert fast.fwd.a[1].base is not None and slow.fwd.a[1].base is None
    np.testing.assert_allclose(fast.fwd.output, slow.fwd.output, rtol=0, atol=TOL)
    np.testing.assert_allclose(fast.gradient_sizes, slow.gradient_sizes, rtol=1e-10)
    assert fast.dead_units == slow.dead_units


def test_evaluation_does_not_move_the_statistics():
    trainer = with_batch_norm(make_trainer("tanh", "sigmoid", "sgd"))
    run(trainer, (("epochs", 1),))
    before = trainer.net.bn_state()
    kernels.forward(trainer.net, trainer.x, compiled_from=0)
    kernels.measure(trainer.net, trainer.x, trainer.targets)
    for now, then in zip(trainer.net.bn_state(), before):
        for a, b in zip(now, then):
            np.testing.assert_array_equal(a, b)


def material_trainer(compiled: bool, units=(124, 124), batch_norm=False) -> Trainer:
    """The material's Keras model: Dense(124, relu), Dropout(0.5), Dense(124, relu),
    Dropout(0.1), Dense(1, sigmoid); SGD lr 0.1, momentum 0.003."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(120, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    hidden = [HiddenLayer(units[0], "relu", 0.5, batch_norm=batch_norm),
              HiddenLayer(units[1], "relu", 0.1, batch_norm=batch_norm)]
    head = HEADS["sigmoid"]
    net = Network.build(2, hidden, head, 1, "he", np.random.default_rng(12))
    optimizer = make_optimizer("momentum")
    optimizer.momentum = 0.003
    trainer = Trainer(net, optimizer, x, head.targets(y, 1), learning_rate=0.1, batch_size=10,
                      regularization="none", reg_rate=0.0, rng=np.random.default_rng(13))
    if compiled:
        trainer._run = lambda steps: pytest.fail("the reference ran")
    else:
        trainer.use_kernels = False
    return trainer


@pytest.mark.parametrize("units, batch_norm", [((124, 124), False), ((128, 125), True)])
def test_wide_layers_train_as_the_reference(units, batch_norm):
    """124 units a layer (the material's), and 128 beside 125 (the widest, and padding)."""
    fast, slow = (material_trainer(c, units, batch_norm) for c in (True, False))
    run(fast, (("epochs", 2), ("steps", 5)))
    run(slow, (("epochs", 2), ("steps", 5)))
    assert_same(fast, slow)
    x = feature_matrix(grid_points(24), ["x1", "x2"])
    np.testing.assert_allclose(kernels.forward(fast.net, x, compiled_from=0).output,
                               slow.net.forward(x).output, rtol=0, atol=TOL)
