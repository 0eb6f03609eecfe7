"""The training loop: steps and epochs, determinism, full batch, regularization, divergence."""

import math

import numpy as np
import pytest

from playground.engine.datasets import make_data
from playground.engine.features import feature_matrix
from playground.engine.heads import HEADS
from playground.engine.nn import HiddenLayer, Network
from playground.engine.optimizers import make_optimizer
from playground.engine.regularizers import REGULARIZERS
from playground.engine.training import Trainer, evaluate


def make_trainer(dataset="circle", hidden=((4, "tanh"), (2, "tanh")), head="sigmoid",
                 optimizer="sgd", lr=0.03, batch=10, seed=1, reg="none", rate=0.0,
                 dropout=0.0, n=200, noise=0):
    data = make_data(dataset, num_samples=n, noise=noise, train_ratio=50, data_seed=seed)
    x = feature_matrix(data.x_train, ["x1", "x2"])
    h = HEADS[head]
    units = h.units(data.classes)
    layers = [HiddenLayer(u, a, dropout) for u, a in hidden]
    net = Network.build(2, layers, h, units, "xavier", np.random.default_rng(seed))
    trainer = Trainer(net, make_optimizer(optimizer), x, h.targets(data.y_train, units),
                      learning_rate=lr, batch_size=batch, regularization=reg, reg_rate=rate,
                      rng=np.random.default_rng(seed + 100))
    return trainer, data


def test_steps_and_epochs():
    trainer, _ = make_trainer(batch=30)  # 100 train points -> ceil(100/30) = 4 steps an epoch
    assert trainer.steps_per_epoch == 4
    trainer.run_steps(3)
    assert (trainer.step, trainer.epoch) == (3, 0)
    trainer.run_epochs(1)  # finishes the partial epoch
    assert (trainer.step, trainer.epoch) == (4, 1)
    trainer.run_epochs(2)
    assert (trainer.step, trainer.epoch) == (12, 3)


def test_an_epoch_visits_every_example_once():
    trainer, _ = make_trainer(batch=30)
    trainer.use_kernels = False  # the spy sees the reference's batches (test_kernels: the same)
    seen = []
    real_forward = trainer.net.forward

    def spy(x, rng=None, training=False):
        seen.append(x.copy())
        return real_forward(x, rng, training)

    trainer.net.forward = spy
    trainer.run_epochs(1)
    batches = np.vstack(seen)
    assert [len(b) for b in seen] == [30, 30, 30, 10]
    assert sorted(map(tuple, batches)) == sorted(map(tuple, trainer.x))
    assert not np.array_equal(batches, trainer.x)  # shuffled


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_same_config_same_numbers(optimizer):
    a, _ = make_trainer(optimizer=optimizer, dropout=0.2)
    b, _ = make_trainer(optimizer=optimizer, dropout=0.2)
    a.run_epochs(3)
    b.run_steps(7)
    b.run_epochs(3)  # the same steps in other chunks
    np.testing.assert_array_equal(a.net.theta, b.net.theta)
    c, _ = make_trainer(optimizer=optimizer, dropout=0.2, seed=2)
    c.run_epochs(3)
    assert not np.array_equal(a.net.theta, c.net.theta)


def test_full_batch_is_textbook_gradient_descent():
    trainer, _ = make_trainer(batch=1000, lr=0.5)
    net = trainer.net
    grads = net.flat_gradients(net.backward(net.forward(trainer.x), trainer.targets))
    expected = net.theta - 0.5 * grads
    trainer.run_steps(1)
    np.testing.assert_allclose(net.theta, expected, rtol=1e-15, atol=1e-15)
    assert trainer.epoch == 1 and trainer.steps_per_epoch == 1


@pytest.mark.parametrize("reg", ["l1", "l2"])
def test_regularization_adds_its_gradient_to_weights_only(reg):
    trainer, _ = make_trainer(batch=1000, lr=0.1, reg=reg, rate=0.3)
    net = trainer.net
    grads = net.flat_gradients(net.backward(net.forward(trainer.x), trainer.targets))
    penalty_grad = 0.3 * REGULARIZERS[reg].grad(net.theta) * net.weight_mask()
    assert penalty_grad[net.layout[1][1]:net.layout[1][2]].sum() == 0  # b_0 untouched
    expected = net.theta - 0.1 * (grads + penalty_grad)
    trainer.run_steps(1)
    np.testing.assert_allclose(net.theta, expected, rtol=1e-14, atol=1e-15)


def test_training_learns_circle():
    trainer, data = make_trainer(hidden=((6, "tanh"), (3, "tanh")), optimizer="adam", lr=0.03,
                                 n=400)
    net = trainer.net
    x_test = feature_matrix(data.x_test, ["x1", "x2"])
    t_test = net.head.targets(data.y_test, 1)
    before = evaluate(net, x_test, t_test, data.y_test)
    trainer.run_epochs(60)
    after = evaluate(net, x_test, t_test, data.y_test)
    assert after.loss < 0.2 < before.loss
    assert after.accuracy > 0.95


def test_multiclass_softmax_learns_blobs():
    trainer, data = make_trainer(dataset="blobs", head="softmax", optimizer="adam", lr=0.03,
                                 hidden=((8, "relu"),), n=300)
    net = trainer.net
    trainer.run_epochs(40)
    x_test = feature_matrix(data.x_test, ["x1", "x2"])
    result = evaluate(net, x_test, net.head.targets(data.y_test, 3), data.y_test)
    assert result.accuracy > 0.9


def test_divergence_keeps_the_last_finite_parameters():
    trainer, _ = make_trainer(dataset="plane", head="linear", hidden=((8, "relu"), (8, "relu")),
                              lr=50.0, batch=5)
    ran = trainer.run_epochs(50)
    assert trainer.diverged
    assert "NaN or infinite" in trainer.divergence_reason
    assert trainer.net.all_finite()
    assert ran == trainer.step < 50 * trainer.steps_per_epoch
    # the kept parameters are exactly those after the last good step
    replay, _ = make_trainer(dataset="plane", head="linear", hidden=((8, "relu"), (8, "relu")),
                             lr=50.0, batch=5)
    with np.errstate(all="ignore"):
        replay._run(trainer.step)
    np.testing.assert_array_equal(replay.net.theta, trainer.net.theta)
    with np.errstate(all="ignore"):
        replay._run(1)
    assert not replay.net.all_finite()
    # a diverged trainer refuses to go on
    assert trainer.run_steps(5) == 0


def test_batch_size_change_starts_a_new_epoch():
    trainer, _ = make_trainer(batch=30)
    trainer.run_steps(2)
    trainer.set_batch_size(50)
    assert trainer.steps_per_epoch == math.ceil(100 / 50)
    trainer.run_epochs(1)
    assert trainer.epoch == 1 and trainer.step == 4


def test_evaluate_accuracy_and_empty_set():
    trainer, data = make_trainer()
    net = trainer.net
    result = evaluate(net, trainer.x, trainer.targets, data.y_train)
    assert 0.0 <= result.accuracy <= 1.0
    assert math.isnan(evaluate(net, trainer.x[:0], trainer.targets[:0], data.y_train[:0]).loss)


def test_edit_mid_training_carries_optimizer_state():
    trainer, _ = make_trainer(optimizer="momentum")
    trainer.run_epochs(2)
    v_before = trainer.optimizer.state["v"].copy()
    w0 = trainer.net.layout[0]
    trainer.apply_edit(lambda: trainer.net.add_neurons(1, 1, np.random.default_rng(0)))
    np.testing.assert_array_equal(trainer.optimizer.state["v"][w0[1]:w0[2]], v_before[w0[1]:w0[2]])
    trainer.run_epochs(1)  # the gradient buffer follows the new layout
    assert trainer.net.all_finite() and trainer.epoch == 3
