"""Weight penalties (never on biases): one table row per contract id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Regularizer:
    """A penalty `rate * penalty(w)` summed over every weight, and its gradient."""

    id: str
    name: str
    formula: str
    penalty: Callable[[Array], float]  # without the rate
    grad: Callable[[Array], Array]  # d penalty / dw, without the rate


def _none(w: Array) -> float:
    return 0.0


def _l1(w: Array) -> float:
    return float(np.abs(w).sum())


def _l2(w: Array) -> float:
    # rate/2 * sum w^2, so that its gradient is rate * w
    return 0.5 * float((w * w).sum())


def _l2_grad(w: Array) -> Array:
    return w


_ROWS = [
    Regularizer("none", "None", "0", _none, np.zeros_like),
    Regularizer("l1", "L1", "rate * sum |w|", _l1, np.sign),  # sign(0) = 0: the subgradient
    Regularizer("l2", "L2", "rate / 2 * sum w^2", _l2, _l2_grad),
]

REGULARIZERS: dict[str, Regularizer] = {row.id: row for row in _ROWS}


def penalty(reg: Regularizer, rate: float, weights: list[Array]) -> float:
    """The regularization term added to the data loss for the whole network."""
    return rate * sum(reg.penalty(w) for w in weights)
