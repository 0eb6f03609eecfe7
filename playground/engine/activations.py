"""Hidden-layer activations: one table row per contract id.

Each row holds the forward rule `f(z, p)` and its derivative `df(z, a, p)` written side
by side. `a` is `f(z)`, passed in because several derivatives are cheapest in terms of
the output (sigmoid: a(1-a), tanh: 1-a^2). `p` is what a row needs beyond z:
- PReLU: the learned per-unit slopes (shape (units,));
- RReLU: the negative slopes, drawn per element in training (shape of z), the fixed
  (1/8 + 1/3)/2 in evaluation (PyTorch's `RReLU`);
- Noisy ReLU: the noise added to z, N(0, sigma^2) per element in training, 0 in
  evaluation;
every other row ignores it. A row with `draw` is random in training: `draw(uniform, layer)`
turns uniforms from the trainer's generator into its `p`, so the same seed gives the same
run, and the compiled engine, handed the same uniforms, computes the same thing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Array = np.ndarray

LEAKY_SLOPE = 0.01
PRELU_INITIAL_SLOPE = 0.25
ELU_ALPHA = 1.0
_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_K = 0.044715


def sigmoid(z: Array) -> Array:
    """Logistic function, overflow-free: sigmoid(z) = (1 + tanh(z/2)) / 2."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def softplus(z: Array) -> Array:
    """log(1 + e^z) without overflow: max(z, 0) + log1p(e^-|z|)."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def _linear(z: Array, slope: Array | None) -> Array:
    return z


def _linear_df(z: Array, a: Array, slope: Array | None) -> Array:
    return np.ones_like(z)


def _sigmoid(z: Array, slope: Array | None) -> Array:
    return sigmoid(z)


def _sigmoid_df(z: Array, a: Array, slope: Array | None) -> Array:
    return a * (1.0 - a)


def _tanh(z: Array, slope: Array | None) -> Array:
    return np.tanh(z)


def _tanh_df(z: Array, a: Array, slope: Array | None) -> Array:
    return 1.0 - a * a


def _relu(z: Array, slope: Array | None) -> Array:
    return np.maximum(z, 0.0)


def _relu_df(z: Array, a: Array, slope: Array | None) -> Array:
    # 1 where z > 0, else 0 (relu'(0) taken as 0, as PyTorch and TensorFlow Playground do).
    # a = max(z, 0) is positive exactly where z is, and sign(a) is already float: half the
    # cost of (z > 0), whose booleans must be cast before they multiply.
    return np.sign(a)


def _leaky(z: Array, slope: Array | None) -> Array:
    return np.where(z > 0.0, z, LEAKY_SLOPE * z)


def _leaky_df(z: Array, a: Array, slope: Array | None) -> Array:
    return np.where(z > 0.0, 1.0, LEAKY_SLOPE)


def _prelu(z: Array, slope: Array | None) -> Array:
    return np.where(z > 0.0, z, slope * z)


def _prelu_df(z: Array, a: Array, slope: Array | None) -> Array:
    return np.where(z > 0.0, 1.0, slope * np.ones_like(z))


def prelu_slope_grad_factor(z: Array) -> Array:
    """d prelu(z) / d slope = min(z, 0); times dL/da and summed over examples gives dL/dslope."""
    return np.minimum(z, 0.0)


RRELU_LOWER, RRELU_UPPER = 1.0 / 8.0, 1.0 / 3.0
RRELU_EVAL_SLOPE = (RRELU_LOWER + RRELU_UPPER) / 2.0
NOISE_SIGMA = 0.1   # Noisy ReLU's default sigma (a per-layer setting, noise_sigma)


def _rrelu_slopes(uniform: Array, layer) -> Array:
    """Slopes ~ U(1/8, 1/3), one per element: one uniform each."""
    return RRELU_LOWER + (RRELU_UPPER - RRELU_LOWER) * uniform[0]


def _gaussian_noise(uniform: Array, layer) -> Array:
    """N(0, sigma^2) per element by Box-Muller from two uniforms u1, u2 in [0, 1):
    sigma sqrt(-2 ln(1 - u1)) cos(2 pi u2) (1 - u1 is in (0, 1], so the log is finite)."""
    radius = np.sqrt(-2.0 * np.log1p(-uniform[0]))
    return layer.noise_sigma * radius * np.cos(2.0 * math.pi * uniform[1])


def _noisy_relu(z: Array, noise: Array | None) -> Array:
    return np.maximum(z + noise, 0.0) if noise is not None else np.maximum(z, 0.0)


def _elu(z: Array, slope: Array | None) -> Array:
    return np.where(z > 0.0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0.0)))


def _elu_df(z: Array, a: Array, slope: Array | None) -> Array:
    # for z <= 0: d/dz alpha(e^z - 1) = alpha e^z = a + alpha
    return np.where(z > 0.0, 1.0, a + ELU_ALPHA)


def _softplus(z: Array, slope: Array | None) -> Array:
    return softplus(z)


def _softplus_df(z: Array, a: Array, slope: Array | None) -> Array:
    return sigmoid(z)


def _swish(z: Array, slope: Array | None) -> Array:
    return z * sigmoid(z)


def _swish_df(z: Array, a: Array, slope: Array | None) -> Array:
    # d/dz z s(z) = s + z s (1 - s) = s + a (1 - s)
    s = sigmoid(z)
    return s + a * (1.0 - s)


def _gelu(z: Array, slope: Array | None) -> Array:
    return 0.5 * z * (1.0 + np.tanh(_GELU_C * (z + _GELU_K * z**3)))


def _gelu_df(z: Array, a: Array, slope: Array | None) -> Array:
    t = np.tanh(_GELU_C * (z + _GELU_K * z**3))
    return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * _GELU_C * (1.0 + 3.0 * _GELU_K * z * z)


@dataclass(frozen=True)
class Activation:
    """One activation: contract id, display name, formula, f and its derivative df; for a
    row random in training, how many uniforms an element takes, how they become its `p`
    (`draw`) and the `p` of evaluation."""

    id: str
    name: str
    formula: str
    f: Callable[[Array, Array | None], Array]
    df: Callable[[Array, Array, Array | None], Array]
    learnable_slope: bool = False
    uniforms: int = 0                      # per element, in training
    draw: Callable[[Array, Any], Array] | None = None
    evaluation: float | None = None        # p outside training (RReLU's mean slope, ...)

    def param(self, slopes: Array | None) -> Array | float | None:
        """`p` in evaluation, traces and heatmaps: the learned slopes, or the fixed value."""
        return slopes if self.learnable_slope else self.evaluation


_ROWS = [
    Activation("linear", "Linear", "f(z) = z", _linear, _linear_df),
    Activation("sigmoid", "Sigmoid", "f(z) = 1 / (1 + e^-z)", _sigmoid, _sigmoid_df),
    Activation("tanh", "Tanh", "f(z) = (e^z - e^-z) / (e^z + e^-z)", _tanh, _tanh_df),
    Activation("relu", "ReLU", "f(z) = max(0, z)", _relu, _relu_df),
    Activation("leaky_relu", "Leaky ReLU", "f(z) = z if z > 0 else 0.01 z", _leaky, _leaky_df),
    Activation(
        "prelu", "PReLU", "f(z) = z if z > 0 else s z (s learned per unit, starts at 0.25)",
        _prelu, _prelu_df, learnable_slope=True,
    ),
    Activation(
        "rrelu", "RReLU", "f(z) = z if z > 0 else r z (r ~ U(1/8, 1/3) in training, "
        "11/48 otherwise)", _prelu, _prelu_df, uniforms=1, draw=_rrelu_slopes,
        evaluation=RRELU_EVAL_SLOPE,
    ),
    Activation(
        "noisy_relu", "Noisy ReLU", "f(z) = max(0, z + n) (n ~ N(0, sigma^2) in training, "
        "0 otherwise)", _noisy_relu, _relu_df, uniforms=2, draw=_gaussian_noise,
        evaluation=0.0,
    ),
    Activation("elu", "ELU", "f(z) = z if z > 0 else e^z - 1", _elu, _elu_df),
    Activation("softplus", "Softplus", "f(z) = ln(1 + e^z)", _softplus, _softplus_df),
    Activation("swish", "Swish", "f(z) = z * sigmoid(z)", _swish, _swish_df),
    Activation(
        "gelu", "GELU", "f(z) = 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3)))",
        _gelu, _gelu_df,
    ),
]

ACTIVATIONS: dict[str, Activation] = {row.id: row for row in _ROWS}
