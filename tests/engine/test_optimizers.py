"""Optimizer updates against the first steps worked out by hand (PyTorch semantics)."""

import math

import numpy as np
import pytest

from playground.engine.heads import HEADS
from playground.engine.nn import HiddenLayer, Network
from playground.engine.optimizers import OPTIMIZERS, make_optimizer

GRADS = [0.5, -0.2, 0.3]
LR = 0.1


def run(optimizer_id: str, **kw) -> list[float]:
    opt = make_optimizer(optimizer_id, **kw)
    theta = np.array([1.0, -2.0])
    seen = []
    for g in GRADS:
        opt.step(theta, np.array([g, 2 * g]), LR)
        seen.append(theta.copy())
    return seen


def test_sgd_by_hand():
    seen = run("sgd")
    assert seen[0][0] == pytest.approx(1.0 - 0.05)
    assert seen[1][0] == pytest.approx(0.95 + 0.02)
    assert seen[2][1] == pytest.approx(-2.0 - 0.1 * 2 * (0.5 - 0.2 + 0.3))


def test_momentum_by_hand():
    # v1 = g1 = 0.5 (PyTorch's first buffer is the gradient); w = 1 - 0.1 * 0.5 = 0.95
    # v2 = 0.9 * 0.5 - 0.2 = 0.25;  w = 0.95 - 0.025 = 0.925
    # v3 = 0.9 * 0.25 + 0.3 = 0.525; w = 0.925 - 0.0525 = 0.8725
    seen = run("momentum", momentum=0.9)
    assert [s[0] for s in seen] == pytest.approx([0.95, 0.925, 0.8725], abs=1e-15)
    assert [s[1] for s in seen] == pytest.approx([-2.1, -2.15, -2.255], abs=1e-15)


def test_momentum_other_mu():
    seen = run("momentum", momentum=0.5)
    # v: 0.5, 0.05, 0.325 -> w: 0.95, 0.945, 0.9125
    assert [s[0] for s in seen] == pytest.approx([0.95, 0.945, 0.9125], abs=1e-15)


def test_adam_by_hand():
    b1, b2, eps = 0.9, 0.999, 1e-8
    # t = 1: m = 0.05, v = 0.00025, m_hat = 0.5, v_hat = 0.25 -> step 0.1 * 0.5 / (0.5 + eps)
    w1 = 1.0 - 0.1 * 0.5 / (0.5 + eps)
    # t = 2: m = 0.045 - 0.02 = 0.025, v = 0.999 * 0.00025 + 0.001 * 0.04 = 0.00028975
    m2, v2 = 0.025, 0.00028975
    w2 = w1 - 0.1 * (m2 / (1 - b1**2)) / (math.sqrt(v2 / (1 - b2**2)) + eps)
    # t = 3: m = 0.0225 + 0.03 = 0.0525, v = 0.999 * v2 + 0.001 * 0.09
    m3, v3 = 0.0525, 0.999 * 0.00028975 + 0.00009
    w3 = w2 - 0.1 * (m3 / (1 - b1**3)) / (math.sqrt(v3 / (1 - b2**3)) + eps)
    seen = run("adam")
    assert [s[0] for s in seen] == pytest.approx([w1, w2, w3], abs=1e-14)
    assert w1 == pytest.approx(0.9, abs=1e-7)  # Adam's first step is lr * sign(g)


def test_registry_ids():
    assert list(OPTIMIZERS) == ["sgd", "momentum", "adam"]


def test_remap_keeps_state_of_untouched_parameters():
    rng = np.random.default_rng(0)
    net = Network.build(2, [HiddenLayer(3, "tanh"), HiddenLayer(2, "tanh")], HEADS["sigmoid"],
                        1, "xavier", rng)
    opt = make_optimizer("adam")
    for _ in range(3):
        opt.step(net.theta, np.ones_like(net.theta), 0.01)
    where = {k: (s, e) for k, s, e in net.layout}
    m_w0 = opt.state["m"][slice(*where[("W", 0)])].copy()
    m_w2 = opt.state["m"][slice(*where[("W", 2)])].copy()
    old = list(net.layout)
    kept = net.add_neurons(1, 1, rng)  # touches W1, b1, W2
    opt.remap(old, net.layout, kept)
    where = {k: (s, e) for k, s, e in net.layout}
    np.testing.assert_array_equal(opt.state["m"][slice(*where[("W", 0)])], m_w0)
    assert (opt.state["m"][slice(*where[("W", 2)])] == 0).all()  # reshaped: fresh
    assert not (m_w2 == 0).all()
    t = opt.state["t"]
    assert t[where[("W", 0)][0]] == 3 and t[where[("W", 1)][0]] == 0
    assert opt.t_mixed
    # a mixed step count still follows each parameter's own bias correction
    theta = net.theta.copy()
    opt.step(net.theta, np.ones_like(net.theta), 0.01)
    fresh = slice(*where[("W", 1)])
    np.testing.assert_allclose(theta[fresh] - net.theta[fresh], 0.01, rtol=1e-6)
