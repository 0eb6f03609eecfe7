"""Hidden-layer activations: one table row per contract id.

Each row holds the forward rule `f(z, slope)` and its derivative `df(z, a, slope)`
written side by side. `a` is `f(z)`, passed in because several derivatives are
cheapest in terms of the output (sigmoid: a(1-a), tanh: 1-a^2). `slope` is the
per-unit PReLU slope array (shape (units,)); every other row ignores it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

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
    """One activation: contract id, display name, formula, f and its derivative df."""

    id: str
    name: str
    formula: str
    f: Callable[[Array, Array | None], Array]
    df: Callable[[Array, Array, Array | None], Array]
    learnable_slope: bool = False


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
    Activation("elu", "ELU", "f(z) = z if z > 0 else e^z - 1", _elu, _elu_df),
    Activation("softplus", "Softplus", "f(z) = ln(1 + e^z)", _softplus, _softplus_df),
    Activation("swish", "Swish", "f(z) = z * sigmoid(z)", _swish, _swish_df),
    Activation(
        "gelu", "GELU", "f(z) = 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3)))",
        _gelu, _gelu_df,
    ),
]

ACTIVATIONS: dict[str, Activation] = {row.id: row for row in _ROWS}
