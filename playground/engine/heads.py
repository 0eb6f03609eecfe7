"""Output heads: the output layer's activation and its loss, one table row per contract id.

Every loss is the MEAN over the examples of a batch and is computed from the logits
(log-sum-exp form), so it never takes log(0). `targets(y, units)` turns labels into a
matrix shaped like the logits once per dataset, so a training step only slices it.
`dlogits(z, out, t)` is d(mean loss)/d(logits), written beside its loss; it takes the
head's output `out = output(z)` too, because every head's gradient is `scale * (out - t)`
and the forward pass has already computed `out`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import sigmoid

Array = np.ndarray


def log_sum_exp(z: Array) -> Array:
    """Row-wise log(sum(e^z)) without overflow; z is (n, K), returns (n,)."""
    m = z.max(axis=1)
    return m + np.log(np.exp(z - m[:, None]).sum(axis=1))


def softmax(z: Array) -> Array:
    """Row-wise softmax without overflow."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def bce_with_logits(z: Array, t: Array) -> Array:
    """Elementwise -[t log s(z) + (1-t) log(1-s(z))] = max(z,0) - z t + log(1 + e^-|z|)."""
    return np.maximum(z, 0.0) - z * t + np.log1p(np.exp(-np.abs(z)))


def _column_targets(y: Array, units: int) -> Array:
    return np.ascontiguousarray(np.asarray(y, dtype=np.float64).reshape(-1, 1))


def _one_hot_targets(y: Array, units: int) -> Array:
    return np.eye(units)[np.asarray(y).astype(np.int64)]


# --- sigmoid + binary cross-entropy (1 unit) -------------------------------------------
def _sigmoid_loss(z: Array, t: Array) -> float:
    return float(bce_with_logits(z, t).mean())


def _sigmoid_dlogits(z: Array, out: Array, t: Array) -> Array:
    # d/dz [softplus(z) - z t] = sigmoid(z) - t
    d = out - t
    d *= 1.0 / z.shape[0]
    return d


# --- softmax + categorical cross-entropy (K units) -------------------------------------
def _softmax_loss(z: Array, t: Array) -> float:
    return float((log_sum_exp(z) - (z * t).sum(axis=1)).mean())


def _softmax_dlogits(z: Array, out: Array, t: Array) -> Array:
    # d/dz_k [lse(z) - sum t z] = p_k - t_k
    d = out - t
    d *= 1.0 / z.shape[0]
    return d


# --- K independent sigmoids, BCE averaged over examples and classes ---------------------
def _ova_loss(z: Array, t: Array) -> float:
    return float(bce_with_logits(z, t).mean())


def _ova_dlogits(z: Array, out: Array, t: Array) -> Array:
    d = out - t
    d *= 1.0 / z.size
    return d


# --- linear + mean squared error (1 unit) ----------------------------------------------
def _mse_loss(z: Array, t: Array) -> float:
    d = z - t
    return float((d * d).mean())


def _mse_dlogits(z: Array, out: Array, t: Array) -> Array:
    d = z - t
    d *= 2.0 / z.shape[0]
    return d


def _identity(z: Array) -> Array:
    return z


@dataclass(frozen=True)
class Head:
    """One output head: its output activation, its loss and the loss's gradient."""

    id: str
    name: str
    formula: str
    loss_name: str
    loss_formula: str
    kinds: tuple[str, ...]  # dataset kinds it can learn
    per_class_units: bool  # K output units (else 1)
    output: Callable[[Array], Array]  # logits -> what the output nodes show
    loss: Callable[[Array, Array], float]
    dlogits: Callable[[Array, Array, Array], Array]
    targets: Callable[[Array, int], Array]

    def units(self, classes: int | None) -> int:
        """How many output units this head has for a dataset with `classes` classes."""
        return int(classes) if self.per_class_units else 1

    @property
    def is_classifier(self) -> bool:
        return self.id != "linear"

    def predict(self, out: Array, threshold: float = 0.5) -> Array:
        """Predicted class per row (classifiers) or the value (regression); out = output(z)."""
        if self.id == "sigmoid":
            return (out[:, 0] >= threshold).astype(np.int64)
        if self.id == "linear":
            return out[:, 0]
        return out.argmax(axis=1)


_ROWS = [
    Head(
        "sigmoid", "Sigmoid", "p = 1 / (1 + e^-z)", "Binary cross-entropy",
        "L = -mean(y ln p + (1 - y) ln(1 - p))", ("binary",), False,
        sigmoid, _sigmoid_loss, _sigmoid_dlogits, _column_targets,
    ),
    Head(
        "softmax", "Softmax", "p_k = e^z_k / sum_j e^z_j", "Categorical cross-entropy",
        "L = -mean(ln p_y)", ("binary", "multiclass"), True,
        softmax, _softmax_loss, _softmax_dlogits, _one_hot_targets,
    ),
    Head(
        "one_vs_all", "One-vs-all sigmoids", "p_k = 1 / (1 + e^-z_k)",
        "Binary cross-entropy per class",
        "L = -mean over examples and classes of (y_k ln p_k + (1 - y_k) ln(1 - p_k))",
        ("binary", "multiclass"), True,
        sigmoid, _ova_loss, _ova_dlogits, _one_hot_targets,
    ),
    Head(
        "linear", "Linear", "y_hat = z", "Mean squared error", "L = mean((y_hat - y)^2)",
        ("regression",), False,
        _identity, _mse_loss, _mse_dlogits, _column_targets,
    ),
]

HEADS: dict[str, Head] = {row.id: row for row in _ROWS}
