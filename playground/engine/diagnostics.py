"""Why is training failing? Dead units, per-layer gradient sizes and their flag (with its
cause), overfitting and the confusion matrix, computed from the network's own forward
and backward passes on a whole set."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS
from .nn import Forward, Network

Array = np.ndarray

VANISHING_RATIO = 1e-3   # first layer's gradients this many times below the last one's
VANISHING_RECOVERY = 1e-2  # a flagged network is cleared only above this ratio (no flicker)
EXPLODING_SIZE = 1e3     # a layer's RMS gradient above this
EXPLODING_GROWTH = 1e2   # or grown this many times since the baseline
SATURATING = ("sigmoid", "tanh")  # flat at both ends, steepest at z = 0
SATURATED_SLOPE = 1e-2   # f'(z) below this share of f'(0): the unit sits on a flat end
SATURATED_SHARE = 0.5    # most (unit, example) pairs saturated: the cause is saturation
OVERFIT_GAP = 0.1        # test loss - training loss at least this,
OVERFIT_RATIO, OVERFIT_OFFSET = 1.5, 0.02  # test loss >= 1.5 x training loss + 0.02,
OVERFIT_RISE = 0.02      # and the test loss this far above its lowest since the baseline


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


def blocked_layer(net: Network, fwd: Forward, dead: list[str] | None = None) -> int | None:
    """The last hidden layer (numbered as in node ids: 1 = first hidden) whose every unit
    is silent with a zero slope on every example: no gradient passes it, so every layer
    before it stops learning. None when gradients pass every layer. `dead`: the dead
    units (dead_units of the same pass), if the caller has them: only a layer of dead
    units can block."""
    blocked = None
    silent = None if dead is None else Counter(int(unit.split(":")[0]) for unit in dead)
    with np.errstate(all="ignore"):
        for k, layer in enumerate(net.hidden):
            l = k + 1
            if silent is not None and silent[l] < layer.units:
                continue
            if fwd.a[l].size and (fwd.a[l] == 0.0).all():
                slope = ACTIVATIONS[layer.activation].df(fwd.z[l], fwd.a_raw[l], fwd.p[l])
                if (np.asarray(slope) == 0.0).all():
                    blocked = l
    return blocked


def saturation(net: Network, fwd: Forward) -> float | None:
    """Share of (unit, example) pairs of the sigmoid and tanh layers sitting on a flat end
    (f'(z) < SATURATED_SLOPE * f'(0)); None when the network has no such layer."""
    flat = total = 0
    with np.errstate(all="ignore"):
        for k, layer in enumerate(net.hidden):
            if layer.activation not in SATURATING:
                continue
            act = ACTIVATIONS[layer.activation]
            peak = float(act.df(np.zeros(1), act.f(np.zeros(1), None), None)[0])
            slope = act.df(fwd.z[k + 1], fwd.a_raw[k + 1], None)
            flat += int((np.abs(slope) < SATURATED_SLOPE * peak).sum())
            total += slope.size
    return flat / total if total else None


FLAGS = ("vanishing", "exploding", "blocked")   # what GradientFlag.kind may say


@dataclass
class GradientFlag:
    kind: str | None  # one of FLAGS or None
    ratio: float | None  # first layer's size / last layer's size
    cause: str | None = None  # vanishing: "saturation" or "depth"
    blocked_layer: int | None = None  # blocked: the layer no gradient passes


def gradient_flag(latest: list[float | None], baseline: list[float | None] | None,
                  blocked: int | None = None, saturated: float | None = None,
                  was_vanishing: bool = False) -> GradientFlag:
    """Flag gradients that do not reach the first layers: a layer that blocks them
    (`blocked`, from blocked_layer), exploding ones (not finite, huge, or grown without
    bound since `baseline`, the sizes recorded first since the last change: growth across
    a change means nothing), or vanishing ones (the first layers' far below the last
    one's), caused by saturation when most sigmoid/tanh units sit on a flat end
    (`saturated`, from saturation: typically a too-high learning rate, even in a shallow
    net), else by depth. A network flagged vanishing stays flagged until its ratio
    clears VANISHING_RECOVERY, so a ratio hovering at the threshold does not flicker."""
    sizes = [s for s in latest if s is not None]
    if len(sizes) != len(latest) or not sizes:
        return GradientFlag("exploding" if latest and any(s is None for s in latest) else None, None)
    ratio = sizes[0] / sizes[-1] if sizes[-1] > 0 else None
    if blocked is not None:
        return GradientFlag("blocked", ratio, blocked_layer=blocked)
    if max(sizes) > EXPLODING_SIZE or _grown(sizes, baseline):
        return GradientFlag("exploding", ratio)
    threshold = VANISHING_RECOVERY if was_vanishing else VANISHING_RATIO
    if len(sizes) >= 3 and ratio is not None and ratio < threshold:
        cause = "saturation" if saturated is not None and saturated > SATURATED_SHARE else "depth"
        return GradientFlag("vanishing", ratio, cause=cause)
    return GradientFlag(None, ratio)


def _grown(sizes: list[float], baseline: list[float | None] | None) -> bool:
    """Grown without bound since a baseline of the same depth (every size positive)."""
    if not baseline or len(baseline) != len(sizes) or any(b is None or b <= 0 for b in baseline):
        return False
    return max(s / b for s, b in zip(sizes, baseline)) > EXPLODING_GROWTH


def overfitting(train_loss: float | None, test_loss: float | None,
                lowest_test_loss: float | None) -> dict | None:
    """{"train_loss", "test_loss", "gap"} when the network learns its training points by
    heart: the test loss well above the training loss, and the gap growing (the test loss
    has risen from its lowest since the baseline while training went on); else None."""
    if train_loss is None or test_loss is None or lowest_test_loss is None:
        return None
    gap = test_loss - train_loss
    if (gap >= OVERFIT_GAP and test_loss >= OVERFIT_RATIO * train_loss + OVERFIT_OFFSET
            and test_loss - lowest_test_loss >= OVERFIT_RISE):
        return {"train_loss": train_loss, "test_loss": test_loss, "gap": gap}
    return None


def confusion_matrix(predicted: Array, labels: Array, classes: int) -> list[list[int]]:
    """counts[true][predicted], vectorised with bincount."""
    truth = labels.astype(np.int64)
    pred = predicted.astype(np.int64)
    counts = np.bincount(truth * classes + pred, minlength=classes * classes)
    return counts.reshape(classes, classes).tolist()
