"""Batch normalization (engine/batch_norm.py through nn.Network): gradients against finite
differences in training and in evaluation (inputs, gamma, beta), PyTorch's BatchNorm1d
semantics (batch statistics and running ones, momentum 0.1, eps 1e-5, the unbiased
running variance) checked against PyTorch itself when it is installed, the running
statistics carried through edits and restored by the divergence guard."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from playground.engine.batch_norm import BN_EPS, BN_MOMENTUM, bn_backward, bn_forward
from playground.engine.heads import HEADS
from playground.engine.nn import HiddenLayer, Network
from playground.engine.optimizers import make_optimizer
from playground.engine.training import Trainer

from .test_nn import numeric_grad


def bn_net(seed: int = 0, activation: str = "tanh") -> Network:
    hidden = [HiddenLayer(4, activation, batch_norm=True), HiddenLayer(3, "relu"),
              HiddenLayer(2, activation, batch_norm=True)]
    net = Network.build(2, hidden, HEADS["softmax"], 3, "xavier", np.random.default_rng(seed))
    rng = np.random.default_rng(seed + 1)
    for k in (0, 2):   # not the initial 1 and 0, so that the gradients say something
        net.gammas[k][...] = rng.uniform(0.5, 1.5, net.sizes[k + 1])
        net.betas[k][...] = rng.normal(scale=0.3, size=net.sizes[k + 1])
        net.bn_mean[k][...] = rng.normal(scale=0.2, size=net.sizes[k + 1])
        net.bn_var[k][...] = rng.uniform(0.5, 2.0, net.sizes[k + 1])
    return net


def data(n: int = 12, seed: int = 2):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2)) * 2, HEADS["softmax"].targets(rng.integers(0, 3, n), 3)


@pytest.mark.parametrize("training", [True, False])
def test_gradients_match_finite_differences(training):
    """Every parameter, gamma and beta included; the inputs' gradient through the
    normalization is what the weights before it see."""
    net, (x, t) = bn_net(), data()
    stats = net.bn_state()
    analytic = net.flat_gradients(net.backward(net.forward(x, training=training), t))

    def loss():
        net.set_bn_state(stats)   # training moves the running statistics: the same each time
        return net.head.loss(net.forward(x, training=training).logits, t)

    np.testing.assert_allclose(analytic, numeric_grad(loss, net.theta), rtol=1e-5, atol=1e-7)


def test_bn_backward_of_the_inputs_matches_finite_differences():
    rng = np.random.default_rng(3)
    z, gamma, beta = rng.normal(size=(7, 3)), rng.uniform(0.5, 2, 3), rng.normal(size=3)
    upstream = rng.normal(size=(7, 3))

    def loss(z_):
        norm = bn_forward(z_, gamma, beta, np.zeros(3), np.ones(3), True)
        return float((norm.y * upstream).sum())

    norm = bn_forward(z, gamma, beta, np.zeros(3), np.ones(3), True)
    dz = bn_backward(norm, upstream, gamma, np.empty(3), np.empty(3))
    numeric = np.zeros_like(z)
    for index in np.ndindex(z.shape):
        step = np.zeros_like(z)
        step[index] = 1e-6
        numeric[index] = (loss(z + step) - loss(z - step)) / 2e-6
    np.testing.assert_allclose(dz, numeric, rtol=1e-6, atol=1e-8)


def test_training_uses_the_batch_and_moves_the_running_statistics():
    rng = np.random.default_rng(4)
    z = rng.normal(loc=3.0, scale=2.0, size=(50, 2))
    mean, var = np.zeros(2), np.ones(2)
    norm = bn_forward(z, np.ones(2), np.zeros(2), mean, var, True)
    np.testing.assert_allclose(norm.y.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(norm.y.var(axis=0), z.var(axis=0) / (z.var(axis=0) + BN_EPS))
    np.testing.assert_allclose(mean, BN_MOMENTUM * z.mean(axis=0))
    np.testing.assert_allclose(var, (1 - BN_MOMENTUM) + BN_MOMENTUM * z.var(axis=0, ddof=1))
    evaluation = bn_forward(z, np.ones(2), np.zeros(2), mean, var, False)
    np.testing.assert_allclose(evaluation.y, (z - mean) / np.sqrt(var + BN_EPS))


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_the_same_as_pytorchs_batchnorm1d():
    import torch

    rng = np.random.default_rng(5)
    gamma, beta = rng.uniform(0.5, 2, 3), rng.normal(size=3)
    layer = torch.nn.BatchNorm1d(3, eps=1e-5, momentum=0.1).double()
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(gamma))
        layer.bias.copy_(torch.from_numpy(beta))
    mean, var = np.zeros(3), np.ones(3)
    for batch in range(3):
        z = rng.normal(loc=batch, size=(6, 3))
        layer.train()
        ours = bn_forward(z, gamma, beta, mean, var, True).y
        np.testing.assert_allclose(ours, layer(torch.from_numpy(z)).detach().numpy(),
                                   rtol=0, atol=1e-13)
        np.testing.assert_allclose(mean, layer.running_mean.numpy(), rtol=0, atol=1e-15)
        np.testing.assert_allclose(var, layer.running_var.numpy(), rtol=0, atol=1e-15)
    layer.eval()
    z = rng.normal(size=(4, 3))
    np.testing.assert_allclose(bn_forward(z, gamma, beta, mean, var, False).y,
                               layer(torch.from_numpy(z)).detach().numpy(), rtol=0, atol=1e-13)


def test_a_trainer_learns_gamma_and_beta_and_moves_the_statistics():
    net, (x, t) = bn_net(), data(40)
    trainer = Trainer(net, make_optimizer("adam"), x, t, learning_rate=0.05, batch_size=8,
                      rng=np.random.default_rng(1))
    gamma, mean = net.gammas[0].copy(), net.bn_mean[0].copy()
    trainer.run_epochs(3)
    assert np.abs(net.gammas[0] - gamma).max() > 1e-3
    assert np.abs(net.bn_mean[0] - mean).max() > 1e-3
    assert net.bn_mean[1] is None and net.gammas[1] is None


def test_the_divergence_guard_restores_the_running_statistics():
    net, (x, t) = bn_net(), data(40)
    trainer = Trainer(net, make_optimizer("sgd"), x, t, learning_rate=1e12, batch_size=8,
                      rng=np.random.default_rng(1))
    saved = trainer._save()
    trainer._run(3)
    trainer._restore(saved)
    np.testing.assert_array_equal(net.bn_mean[0], saved[-1][0][0])
    np.testing.assert_array_equal(net.bn_var[2], saved[-1][1][2])


def test_edits_carry_the_batch_norm_of_the_units_they_keep():
    net = bn_net()
    gamma, mean = net.gammas[0].copy(), net.bn_mean[0].copy()
    net.add_neurons(0, 2, np.random.default_rng(0))
    np.testing.assert_array_equal(net.gammas[0], np.concatenate([gamma, [1.0, 1.0]]))
    np.testing.assert_array_equal(net.bn_mean[0], np.concatenate([mean, [0.0, 0.0]]))
    net.remove_neuron(0, 1)
    np.testing.assert_array_equal(net.gammas[0], np.concatenate([gamma[[0, 2, 3]], [1.0, 1.0]]))
    net.insert_layer(0, HiddenLayer(2, "relu", batch_norm=True), np.random.default_rng(1))
    assert [g is not None for g in net.gammas] == [True, True, False, True]
    np.testing.assert_array_equal(net.gammas[0], [1.0, 1.0])
    net.remove_layer(0, np.random.default_rng(2))
    np.testing.assert_array_equal(net.gammas[0], np.concatenate([gamma[[0, 2, 3]], [1.0, 1.0]]))
    kept = net.set_batch_norm(0, False)
    assert net.gammas[0] is None and net.bn_var[0] is None and ("g", 0) not in kept
    net.set_batch_norm(1, True)
    np.testing.assert_array_equal(net.bn_var[1], np.ones(3))
    assert len(net.theta) == sum(p.size for p in net.params())
