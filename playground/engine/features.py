"""Input features: the registry of maps (x1, x2) -> one network input, and the feature matrix."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Feature:
    """One row of the feature registry; ``f(x1, x2)`` is vectorised over arrays of points."""

    id: str
    name: str
    formula: str
    f: Callable[[np.ndarray, np.ndarray], np.ndarray]


FEATURES: dict[str, Feature] = {
    feature.id: feature
    for feature in (
        Feature("x1", "X₁", "x1", lambda x1, x2: x1),
        Feature("x2", "X₂", "x2", lambda x1, x2: x2),
        Feature("x1_sq", "X₁²", "x1^2", lambda x1, x2: x1 * x1),
        Feature("x2_sq", "X₂²", "x2^2", lambda x1, x2: x2 * x2),
        Feature("x1x2", "X₁X₂", "x1*x2", lambda x1, x2: x1 * x2),
        Feature("sin_x1", "sin(X₁)", "sin(x1)", lambda x1, x2: np.sin(x1)),
        Feature("sin_x2", "sin(X₂)", "sin(x2)", lambda x1, x2: np.sin(x2)),
    )
}

DEFAULT_FEATURES = ("x1", "x2")


def feature_matrix(x: np.ndarray, feature_ids: Sequence[str]) -> np.ndarray:
    """Points x (n, 2) -> float64 C-contiguous (n, len(feature_ids)), columns in the given order.

    An unknown id raises ValueError naming the known ids.
    """
    if isinstance(feature_ids, str):
        raise TypeError(f"feature_ids must be a sequence of ids, not the string {feature_ids!r}")
    unknown = [fid for fid in feature_ids if fid not in FEATURES]
    if unknown:
        names = ", ".join(map(repr, unknown))
        raise ValueError(f"unknown feature {names}; known features: {', '.join(FEATURES)}")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2); got {x.shape}")
    x1, x2 = x[:, 0], x[:, 1]
    out = np.empty((len(x), len(feature_ids)), dtype=np.float64)
    for j, fid in enumerate(feature_ids):
        out[:, j] = FEATURES[fid].f(x1, x2)
    return out
