"""Why is training failing? Dead units, per-layer gradient sizes and the confusion matrix,
computed from the network's own forward and backward passes on a whole set."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .nn import Forward, Network

Array = np.ndarray

VANISHING_RATIO = 1e-3   # first layer's gradients this many times below the last one's
EXPLODING_SIZE = 1e3     # a layer's RMS gradient above this
EXPLODING_GROWTH = 1e2   # or grown this many times over the recorded history


def dead_units(net: Network, x: Array, fwd: Forward | None = None) -> list[str]:
    """Hidden units whose output is exactly zero for every example of x ("L:J" ids): a ReLU
    whose z is negative everywhere gets no gradient and never comes back. `fwd`: the
    forward pass of x, if the caller has it."""
    if x.shape[0] == 0:
        return []
    with np.errstate(all="ignore"):
        fwd = fwd or net.forward(x)
    dead = []
    for l in range(1, net.depth):
        silent = np.flatnonzero((fwd.a[l] == 0.0).all(axis=0))
        dead += [f"{l}:{j}" for j in silent]
    return dead


def gradient_sizes(net: Network, x: Array, targets: Array,
                   fwd: Forward | None = None) -> list[float | None]:
    """RMS of dL/dW for each weight matrix, on the whole set (no dropout, no penalty):
    the size of the signal each layer learns from. RMS, not the norm, so that layers of
    different widths compare."""
    if x.shape[0] == 0:
        return [None] * net.depth
    with np.errstate(all="ignore"):
        grads = net.backward(fwd or net.forward(x), targets)
        sizes = [float(np.sqrt(np.mean(g * g))) for g in grads.weights]
    return [s if math.isfinite(s) else None for s in sizes]


@dataclass
class GradientFlag:
    kind: str | None  # "vanishing", "exploding" or None
    ratio: float | None  # first layer's size / last layer's size


def gradient_flag(latest: list[float | None], first_recorded: list[float | None] | None) -> GradientFlag:
    """Flag vanishing gradients (the first layers' far below the last one's) or exploding
    ones (huge, or grown without bound since the first record)."""
    sizes = [s for s in latest if s is not None]
    if len(sizes) != len(latest) or not sizes:
        return GradientFlag("exploding" if latest and any(s is None for s in latest) else None, None)
    ratio = sizes[0] / sizes[-1] if sizes[-1] > 0 else None
    if max(sizes) > EXPLODING_SIZE:
        return GradientFlag("exploding", ratio)
    if first_recorded and all(s is not None and s > 0 for s in first_recorded):
        if max(s / f for s, f in zip(sizes, first_recorded)) > EXPLODING_GROWTH:
            return GradientFlag("exploding", ratio)
    if len(sizes) >= 3 and ratio is not None and ratio < VANISHING_RATIO:
        return GradientFlag("vanishing", ratio)
    return GradientFlag(None, ratio)


def confusion_matrix(predicted: Array, labels: Array, classes: int) -> list[list[int]]:
    """counts[true][predicted], vectorised with bincount."""
    truth = labels.astype(np.int64)
    pred = predicted.astype(np.int64)
    counts = np.bincount(truth * classes + pred, minlength=classes * classes)
    return counts.reshape(classes, classes).tolist()
