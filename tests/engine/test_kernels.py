"""The compiled engine against the NumPy reference: the same parameters, optimizer state,
rng state and counters after the same calls, for every activation x head x optimizer x
regularizer, dropout, PReLU, full batch, batch 1, edits, divergence; the same forward
pass for evaluation and heatmaps; and the reference taking over when it cannot run."""

import logging

import numpy as np
import pytest

from playground.engine import kernels, training
from playground.engine.activations import ACTIVATIONS
from playground.engine.features import feature_matrix
from playground.engine.heads import HEADS
from playground.engine.heatmaps import grid_points
from playground.engine.nn import HiddenLayer, Network
from playground.engine.optimizers import OPTIMIZERS, make_optimizer
from playground.engine.regularizers import REGULARIZERS
from playground.engine.training import Trainer

TOL = 1e-12
CALLS = (("steps", 4), ("epochs", 2), ("steps", 9), ("epochs", 1))  # partial epochs, 3 boundaries


@pytest.fixture(scope="module", autouse=True)
def compiled():
    """Compile once for the module (or load the on-disk cache); fail if it cannot."""
    assert kernels._compile(), kernels.disabled_reason()


def make_trainer(activation="tanh", head="sigmoid", optimizer="sgd", reg="none",
                 dropout=(0.0, 0.0), batch=7, n=40, seed=3, compiled=True, lr=None) -> Trainer:
    """A 2-3-5-K network on n random points; odd sizes exercise the kernels' padding."""
    rng = np.random.default_rng(seed)
    h = HEADS[head]
    classes = 3 if h.per_class_units else 2
    units = h.units(classes)
    x = rng.normal(size=(n, 2))
    y = rng.normal(size=n) if head == "linear" else rng.integers(0, classes, size=n)
    hidden = [HiddenLayer(3, activation, dropout[0]), HiddenLayer(5, activation, dropout[1])]
    net = Network.build(2, hidden, h, units, "xavier", np.random.default_rng(seed + 1))
    lr = lr or {"sgd": 0.1, "momentum": 0.03, "adam": 0.02}[optimizer] * min(1.0, batch / 7)
    trainer = Trainer(net, make_optimizer(optimizer), x, h.targets(y, units), learning_rate=lr,
                      batch_size=batch, regularization=reg, reg_rate=0.01 if reg != "none" else 0.0,
                      rng=np.random.default_rng(seed + 2))
    if compiled:
        trainer._run = _no_reference  # the compiled path must do every step
    else:
        trainer.use_kernels = False
    return trainer


def _no_reference(steps):
    raise AssertionError("the NumPy reference ran where the compiled engine should have")


def run(trainer: Trainer, calls=CALLS) -> None:
    for kind, count in calls:
        done = trainer.run_steps(count) if kind == "steps" else trainer.run_epochs(count)
        assert done > 0 and not trainer.diverged


def assert_same(a: Trainer, b: Trainer, tol: float = TOL) -> None:
    """Parameters and optimizer state to tol; rng, counters and epoch order exactly."""
    np.testing.assert_allclose(a.net.theta, b.net.theta, rtol=0, atol=tol)
    assert a.optimizer.state.keys() == b.optimizer.state.keys()
    for name, value in a.optimizer.state.items():
        np.testing.assert_allclose(value, b.optimizer.state[name], rtol=0, atol=tol, err_msg=name)
    assert a.rng.bit_generator.state == b.rng.bit_generator.state
    assert (a.step, a.epoch, a._cursor) == (b.step, b.epoch, b._cursor)
    assert (a._order is None) == (b._order is None)
    if a._order is not None:
        assert np.array_equal(a._order, b._order) and np.array_equal(a._order_x, b._order_x)


@pytest.mark.parametrize("reg", list(REGULARIZERS))
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("head", list(HEADS))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_every_combination_matches_the_reference(activation, head, optimizer, reg):
    fast = make_trainer(activation, head, optimizer, reg)
    slow = make_trainer(activation, head, optimizer, reg, compiled=False)
    before = fast.net.theta.copy()
    run(fast)
    run(slow)
    assert (fast.step, fast.epoch) == (24, 4)  # 6 batches an epoch: 4, +8, +9, +3
    assert np.abs(fast.net.theta - before).max() > 1e-3  # it did learn something
    assert_same(fast, slow)


@pytest.mark.parametrize("activation", ["relu", "prelu", "gelu", "sigmoid", "rrelu",
                                        "noisy_relu"])
@pytest.mark.parametrize("dropout", [(0.5, 0.0), (0.3, 0.6)])
@pytest.mark.parametrize("batch", [1, 7, 100])
def test_dropout_draws_the_same_masks(activation, dropout, batch):
    fast = make_trainer(activation, "softmax", "momentum", dropout=dropout, batch=batch)
    slow = make_trainer(activation, "softmax", "momentum", dropout=dropout, batch=batch,
                        compiled=False)
    run(fast)
    run(slow)
    assert_same(fast, slow)


@pytest.mark.parametrize("activation", ["rrelu", "noisy_relu"])
def test_random_activations_draw_alike_with_their_own_sigma(activation):
    """RReLU's slopes and Noisy ReLU's noise: the same uniforms, the same numbers, with a
    sigma per layer; and the draws do happen (the run differs from evaluation's f)."""
    trainers = [make_trainer(activation, "softmax", "adam", dropout=(0.2, 0.0),
                             compiled=compiled) for compiled in (True, False)]
    for trainer in trainers:
        trainer.net.hidden[0].noise_sigma, trainer.net.hidden[1].noise_sigma = 0.7, 0.05
    fast, slow = trainers
    plain = make_trainer("leaky_relu" if activation == "rrelu" else "relu", "softmax", "adam",
                         dropout=(0.2, 0.0), compiled=False)
    for trainer in (fast, slow, plain):
        run(trainer)
    assert_same(fast, slow)
    assert np.abs(fast.net.theta - plain.net.theta).max() > 1e-3


def test_prelu_slopes_are_learned_alike():
    fast = make_trainer("prelu", "one_vs_all", "adam", dropout=(0.2, 0.2))
    slow = make_trainer("prelu", "one_vs_all", "adam", dropout=(0.2, 0.2), compiled=False)
    run(fast)
    run(slow)
    slopes = np.concatenate([s for s in fast.net.slopes if s is not None])
    assert np.abs(slopes - 0.25).max() > 1e-4
    assert_same(fast, slow)


@pytest.mark.parametrize("batch", [1, 40, 1000])
def test_batch_1_and_full_batch(batch):
    fast = make_trainer("elu", "linear", "momentum", "l2", batch=batch)
    slow = make_trainer("elu", "linear", "momentum", "l2", batch=batch, compiled=False)
    run(fast, (("steps", 3), ("epochs", 2), ("steps", 45)))
    run(slow, (("steps", 3), ("epochs", 2), ("steps", 45)))
    assert fast.full_batch == (batch >= 40)
    assert_same(fast, slow)


def test_the_paths_can_take_turns_at_any_step():
    mixed = make_trainer("swish", "softmax", "adam", "l1", dropout=(0.3, 0.0))
    mixed._run = Trainer._run.__get__(mixed)  # let this one use both
    slow = make_trainer("swish", "softmax", "adam", "l1", dropout=(0.3, 0.0), compiled=False)
    for use_kernels, steps in ((True, 4), (False, 5), (True, 11), (False, 1), (True, 8)):
        mixed.use_kernels = use_kernels
        mixed.run_steps(steps)
        slow.run_steps(steps)
        assert_same(mixed, slow)


@pytest.mark.parametrize("batch", [7, 100])
def test_a_run_split_over_several_kernel_calls(monkeypatch, batch):
    """Long runs hand the kernel at most _CHUNK numbers (orders and draws) per call."""
    monkeypatch.setattr(training, "_CHUNK", 60)
    calls = []
    monkeypatch.setattr(kernels, "train", lambda *a, real=kernels.train, **k: calls.append(1)
                        or real(*a, **k))
    fast = make_trainer("relu", "softmax", "momentum", dropout=(0.4, 0.0), batch=batch)
    slow = make_trainer("relu", "softmax", "momentum", dropout=(0.4, 0.0), batch=batch,
                        compiled=False)
    run(fast)
    run(slow)
    assert len(calls) > len(CALLS)  # one call per epoch (batch 7) or per step (full batch)
    assert_same(fast, slow)


def test_adam_after_an_edit_with_mixed_step_counts():
    fast = make_trainer("tanh", "sigmoid", "adam")
    slow = make_trainer("tanh", "sigmoid", "adam", compiled=False)
    for trainer in (fast, slow):
        trainer.run_steps(10)
        trainer.apply_edit(lambda t=trainer: t.net.add_neurons(1, 2, np.random.default_rng(9)))
        assert trainer.optimizer.t_mixed
        trainer.run_steps(13)
    assert_same(fast, slow)


def test_divergence_keeps_exactly_the_reference_last_finite_parameters():
    def diverging(compiled):
        trainer = make_trainer("relu", "linear", "sgd", batch=5, compiled=compiled)
        trainer.learning_rate = 50.0
        trainer._run = Trainer._run.__get__(trainer)  # the guard replays with the reference
        return trainer

    fast, slow = diverging(True), diverging(False)
    calls = []
    fast._run_compiled = lambda steps, real=fast._run_compiled: calls.append(steps) or real(steps)
    assert fast.run_epochs(50) == slow.run_epochs(50) < 50 * fast.steps_per_epoch
    assert calls == [50 * fast.steps_per_epoch]  # the compiled run went first
    assert fast.diverged and slow.diverged and fast.divergence_reason == slow.divergence_reason
    assert fast.net.all_finite()
    np.testing.assert_array_equal(fast.net.theta, slow.net.theta)
    assert fast.rng.bit_generator.state == slow.rng.bit_generator.state


@pytest.mark.parametrize("sizes", [(10, 3), (1, 7)])
def test_one_call_of_a_plus_b_uniforms_is_a_call_of_a_then_b(sizes):
    """What lets a run draw an epoch's dropout uniforms in one call."""
    a, b = sizes
    one, two = np.random.default_rng(5), np.random.default_rng(5)
    together = one.random(a * 4 + b * 6)
    apart = np.concatenate([two.random((a, 4)).ravel(), two.random((b, 6)).ravel()])
    np.testing.assert_array_equal(together, apart)
    assert one.bit_generator.state == two.bit_generator.state


@pytest.mark.parametrize("head", list(HEADS))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_evaluation_forward_matches_network_forward(activation, head):
    trainer = make_trainer(activation, head, "adam", dropout=(0.5, 0.5))
    run(trainer, (("epochs", 2),))
    x = np.random.default_rng(8).normal(size=(33, 2)) * 3
    fast, slow = kernels.forward(trainer.net, x, compiled_from=0), trainer.net.forward(x)
    assert fast.z[0] is None and fast.a[0] is x and fast.mask == [None] * 4
    assert fast.a[1].base is not None                     # the kernel's buffers, not NumPy's
    for l in range(1, 4):
        np.testing.assert_allclose(fast.z[l], slow.z[l], rtol=0, atol=TOL)
        np.testing.assert_allclose(fast.a[l], slow.a[l], rtol=0, atol=TOL)
        assert fast.a_raw[l] is fast.a[l]


@pytest.mark.parametrize("resolution", [7, 40])
def test_grid_forward_matches_network_forward(resolution):
    """Every node over an R x R grid of 3 features, as the heatmaps take it."""
    trainer = make_trainer("gelu", "softmax", "sgd")
    run(trainer, (("epochs", 3),))
    net = trainer.net
    net.set_inputs([0, 1, None], np.random.default_rng(2))  # features x1, x2, x1x2
    x = feature_matrix(grid_points(resolution), ["x1", "x2", "x1x2"])
    fast, slow = kernels.forward(net, x, compiled_from=0), net.forward(x)
    assert fast.a[1].base is not None
    for l in range(1, 4):
        assert fast.a[l].shape == (resolution**2, net.sizes[l])
        np.testing.assert_allclose(fast.z[l], slow.z[l], rtol=0, atol=TOL)
        np.testing.assert_allclose(fast.a[l], slow.a[l], rtol=0, atol=TOL)


def test_wide_work_goes_to_the_kernel_and_narrow_work_stays_on_numpy(monkeypatch):
    """The heatmaps and the metrics call kernels.forward: on a big network the grid is
    computed by the kernel, equal to the reference's; on a small one by NumPy."""
    from playground.engine.heatmaps import heatmaps

    trainer = make_trainer("prelu", "one_vs_all", "adam")
    run(trainer, (("epochs", 2),))
    net = trainer.net
    small = np.ones((2, 2))
    assert kernels.forward(net, small).a[1].base is None
    wide = feature_matrix(grid_points(70), ["x1", "x2"])
    assert wide.shape[0] * net.theta.size >= kernels.COMPILED_FROM
    assert kernels.forward(net, wide).a[1].base is not None
    fast = heatmaps(net, ["x1", "x2"], 70, "list")
    monkeypatch.setattr(kernels, "COMPILED_FROM", 10**12)
    monkeypatch.setattr(kernels.forward, "__defaults__", (10**12,))
    slow = heatmaps(net, ["x1", "x2"], 70, "list")
    np.testing.assert_allclose(fast["output"], slow["output"], rtol=0, atol=TOL)
    for node, grid in slow["nodes"].items():
        np.testing.assert_allclose(fast["nodes"][node], grid, rtol=0, atol=TOL)


def test_jit_off_runs_the_reference(monkeypatch):
    monkeypatch.setenv("PLAYGROUND_JIT", "0")
    assert not kernels.enabled() and kernels.disabled_reason() == "PLAYGROUND_JIT=0"
    trainer = make_trainer(compiled=False)
    trainer.use_kernels = True  # only the environment says no
    ran = []
    trainer._run = lambda steps, real=trainer._run: ran.append(steps) or real(steps)
    monkeypatch.setattr(kernels.ops, "train_run", _no_reference)
    assert trainer.run_steps(3) == 3 and ran == [3]
    x = np.ones((2, 2))
    assert kernels.forward(trainer.net, x, compiled_from=0).a[1].base is None  # the reference's


def test_a_failed_compilation_falls_back_with_a_warning(monkeypatch, caplog):
    monkeypatch.setattr(kernels, "_compiled", False)
    monkeypatch.setattr(kernels, "_failure", None)

    def broken() -> None:
        raise TypeError("no LLVM here")

    monkeypatch.setattr(kernels, "_exercise", broken)
    trainer = make_trainer(compiled=False)
    trainer.use_kernels = True
    with caplog.at_level(logging.WARNING, logger="playground.engine.kernels"):
        assert kernels.ready(trainer.net, trainer.optimizer) is None
    assert "no LLVM here" in kernels.disabled_reason() and "NumPy reference" in caplog.text
    assert trainer.run_steps(2) == 2  # on the reference
    assert not kernels.warm_up().join()  # nothing to compile any more; returns at once


def test_warm_up_compiles_in_a_thread(monkeypatch):
    monkeypatch.setattr(kernels, "_compiled", False)
    thread = kernels.warm_up()
    thread.join(timeout=120)
    assert not thread.is_alive() and thread.name == "kernels-warm-up" and kernels._compiled


def test_unknown_ids_run_on_the_reference(monkeypatch):
    """A registry row added to the NumPy path only: the kernels step aside."""
    trainer = make_trainer("tanh")
    monkeypatch.delitem(kernels.ops.ACTIVATION_CODES, "tanh")
    monkeypatch.setattr(kernels, "_PLANS", {})
    assert kernels.plan(trainer.net) is None and kernels.ready(trainer.net) is None
    trainer._run = Trainer._run.__get__(trainer)
    assert trainer.run_steps(3) == 3


@pytest.mark.parametrize("why", ["env", "numba missing"])
def test_the_server_trains_on_the_reference_without_the_kernels(monkeypatch, client, why):
    if why == "env":
        monkeypatch.setenv("PLAYGROUND_JIT", "0")
    else:  # as if `from . import kernels_ops` had failed at import
        monkeypatch.setattr(kernels, "_failure", "numba cannot load the kernels: ImportError()")
    monkeypatch.setattr(kernels.ops, "train_run", _no_reference)
    monkeypatch.setattr(kernels.ops, "forward_all", _no_reference)
    sid = client.post("/api/sessions", json={"hidden": [{"units": 3, "dropout": 0.2}]}).json()["id"]
    answer = client.post(f"/api/sessions/{sid}/frame", json={"epochs": 2, "resolution": 20})
    assert answer.status_code == 200, answer.text
    assert answer.json()["snapshot"]["epoch"] == 2 and kernels.ready(Network.build(
        2, [HiddenLayer(3)], HEADS["sigmoid"], 1, "xavier", np.random.default_rng(0))) is None


def test_one_compiled_signature_serves_every_call():
    """Every call passes the same array types, so nothing compiles on a request thread
    (which would also miss the vectorizer setting _compile uses); run last in this file."""
    trainer = make_trainer("prelu", "softmax", "adam", dropout=(0.3, 0.0), batch=100)
    trainer.x = np.asfortranarray(trainer.x)  # strided: passed as a C copy
    trainer.x.flags.writeable = False
    run(trainer)
    kernels.forward(trainer.net, np.asfortranarray(trainer.x[:5]), compiled_from=0)
    assert len(kernels.ops.train_run.signatures) == 1
    assert len(kernels.ops.forward_all.signatures) == 1



@pytest.mark.parametrize("head", list(HEADS))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_set_measure_matches_the_diagnostics_of_the_reference(activation, head):
    """kernels.measure (the metrics' forward pass, gradient sizes and dead units of a whole
    set, one compiled call) against the NumPy reference's forward, gradient_sizes and
    dead_units; with units made dead (a bias far below zero) where the activation can."""
    trainer = make_trainer(activation, head, "adam", dropout=(0.5, 0.0))
    run(trainer, (("epochs", 2),))
    net = trainer.net
    net.biases[0][1] = -1e3   # unit 1:1 silent everywhere for relu
    net.biases[1][3] = -1e3
    x, t = trainer.x, trainer.targets
    fast, slow = kernels.measure(net, x, t), kernels.measure(net, x, t, compiled_from=10**12)
    assert fast.fwd.a[1].base is not None and slow.fwd.a[1].base is None
    for l in range(1, 4):
        np.testing.assert_allclose(fast.fwd.z[l], slow.fwd.z[l], rtol=0, atol=TOL)
        np.testing.assert_allclose(fast.fwd.a[l], slow.fwd.a[l], rtol=0, atol=TOL)
    np.testing.assert_allclose(fast.gradient_sizes, slow.gradient_sizes, rtol=1e-10, atol=1e-300)
    assert fast.dead_units == slow.dead_units
    if activation == "relu":
        assert fast.dead_units == ["1:1", "2:3"]


def test_set_measure_reports_overflow_as_no_size():
    trainer = make_trainer("linear", "linear", "sgd")
    trainer.net.theta[:] = 1e200
    fast = kernels.measure(trainer.net, trainer.x, trainer.targets)
    slow = kernels.measure(trainer.net, trainer.x, trainer.targets, compiled_from=10**12)
    assert fast.gradient_sizes == slow.gradient_sizes
    assert None in fast.gradient_sizes
