"""Optimizers with PyTorch semantics, updating the flat parameter vector in place.

State vectors are laid out like the network's `theta`. A structural edit reports which
parameters it kept (old key -> new key); `remap` carries their state to the new layout
and starts the others fresh, as PyTorch would for a newly created parameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Array = np.ndarray
Layout = list[tuple[tuple[str, int], int, int]]  # (key, start, stop) into theta

ADAM_BETA1 = 0.9
ADAM_BETA2 = 0.999
ADAM_EPS = 1e-8
DEFAULT_MOMENTUM = 0.9


class Optimizer:
    """Base class and plain SGD: w -= lr * g."""

    id = "sgd"
    state_vectors: tuple[str, ...] = ()  # names of per-parameter state vectors

    def __init__(self, momentum: float = DEFAULT_MOMENTUM, beta1: float = ADAM_BETA1,
                 beta2: float = ADAM_BETA2) -> None:
        self.momentum = momentum
        self.beta1, self.beta2 = beta1, beta2   # Adam's; kept by all, as momentum is
        self.state: dict[str, Array] = {}
        self._update: Array | None = None  # scratch, so a step allocates nothing big

    def step(self, theta: Array, grad: Array, lr: float) -> None:
        upd = self._scratch(theta)
        np.multiply(grad, lr, out=upd)
        theta -= upd

    def _scratch(self, theta: Array) -> Array:
        if self._update is None or self._update.shape != theta.shape:
            self._update = np.empty_like(theta)
        for name in self.state_vectors:
            if self.state.get(name) is None or self.state[name].shape != theta.shape:
                self.state[name] = np.zeros_like(theta)  # state of another layout: start fresh
        return self._update

    def remap(self, old: Layout, new: Layout, kept: dict) -> None:
        """Carry the state of kept parameters from layout `old` to layout `new`."""
        if not self.state:
            return
        size = new[-1][2] if new else 0
        where = {key: (start, stop) for key, start, stop in old}
        fresh = {name: np.zeros(size) for name in self.state_vectors}
        for old_key, new_key in kept.items():
            if old_key not in where:
                continue
            src = slice(*where[old_key])
            dst = next(slice(s, e) for k, s, e in new if k == new_key)
            for name in self.state_vectors:
                if name in self.state and self.state[name].shape[0] == old[-1][2]:
                    fresh[name][dst] = self.state[name][src]
        self.state = {**self.state, **fresh}
        self._update = None

    def save(self) -> dict:
        return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in self.state.items()}

    def load(self, state: dict) -> None:
        self.state = state


class SGD(Optimizer):
    id = "sgd"


class Momentum(Optimizer):
    """v = mu * v + g; w -= lr * v (PyTorch SGD with momentum, no dampening, no Nesterov).

    PyTorch sets the buffer to g on a parameter's first step, which is v = mu * 0 + g.
    """

    id = "momentum"
    state_vectors = ("v",)

    def step(self, theta: Array, grad: Array, lr: float) -> None:
        upd = self._scratch(theta)
        v = self.state["v"]
        v *= self.momentum
        v += grad
        np.multiply(v, lr, out=upd)
        theta -= upd


class Adam(Optimizer):
    """Adam with bias correction and PyTorch's defaults (betas 0.9/0.999, eps 1e-8; the betas
    are settings, adam_beta1 and adam_beta2):
    m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w -= lr/(1-b1^t) m / (sqrt(v)/sqrt(1-b2^t) + eps).

    `t` counts each parameter's own steps (a scalar while they agree, a vector after an
    edit adds parameters mid-run), as PyTorch keeps a step count per parameter.
    """

    id = "adam"
    state_vectors = ("m", "v", "t")

    def __init__(self, momentum: float = DEFAULT_MOMENTUM, beta1: float = ADAM_BETA1,
                 beta2: float = ADAM_BETA2) -> None:
        super().__init__(momentum, beta1, beta2)
        self.t_mixed = False  # once an edit adds parameters mid-run, counts differ for good

    def step(self, theta: Array, grad: Array, lr: float) -> None:
        upd = self._scratch(theta)
        m, v, t = self.state["m"], self.state["v"], self.state["t"]
        t += 1.0
        b1, b2 = self.beta1, self.beta2
        m *= b1
        np.multiply(grad, 1.0 - b1, out=upd)
        m += upd
        v *= b2
        np.multiply(grad, grad, out=upd)
        upd *= 1.0 - b2
        v += upd
        if not self.t_mixed:
            step = int(t[0])
            bc1 = 1.0 - b1**step
            bc2_sqrt = math.sqrt(1.0 - b2**step)
            np.sqrt(v, out=upd)
            upd *= 1.0 / bc2_sqrt
            upd += ADAM_EPS
            np.divide(m, upd, out=upd)
            upd *= lr / bc1
        else:
            bc1 = 1.0 - np.power(b1, t)
            bc2_sqrt = np.sqrt(1.0 - np.power(b2, t))
            upd[:] = (lr / bc1) * m / (np.sqrt(v) / bc2_sqrt + ADAM_EPS)
        theta -= upd

    def load(self, state: dict) -> None:
        super().load(state)
        t = state.get("t")
        self.t_mixed = t is not None and t.size > 0 and not bool((t == t[0]).all())

    def remap(self, old: Layout, new: Layout, kept: dict) -> None:
        had_state = bool(self.state)
        super().remap(old, new, kept)
        if had_state:
            t = self.state["t"]
            self.t_mixed = t.size > 0 and not bool((t == t[0]).all())


@dataclass(frozen=True)
class OptimizerSpec:
    id: str
    name: str
    formula: str
    make: type[Optimizer]


_ROWS = [
    OptimizerSpec("sgd", "SGD", "w -= lr * g", SGD),
    OptimizerSpec("momentum", "Momentum", "v = mu * v + g; w -= lr * v", Momentum),
    OptimizerSpec(
        "adam", "Adam",
        "m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w -= lr * m_hat / (sqrt(v_hat) + eps)",
        Adam,
    ),
]

OPTIMIZERS: dict[str, OptimizerSpec] = {row.id: row for row in _ROWS}


def make_optimizer(optimizer_id: str, momentum: float = DEFAULT_MOMENTUM,
                   beta1: float = ADAM_BETA1, beta2: float = ADAM_BETA2) -> Optimizer:
    return OPTIMIZERS[optimizer_id].make(momentum=momentum, beta1=beta1, beta2=beta2)
