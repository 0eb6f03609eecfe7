"""A session's metrics and diagnostics, and what they remember between calls.

The evaluation of a state (one forward pass per set, a backward pass on the training set)
is cached until the state changes. Two flags compare the present with the past, and only
with the past since the last change (of structure, activation, head, config or
parameters): a gradient "grown without bound" is measured from the first sizes recorded
since then, and overfitting from the lowest test loss recorded since then. Comparing
across a change (e.g. sigmoid layers switched to ReLU) would flag what the change did,
not what training does.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..engine import diagnostics as diag
from ..engine import kernels
from ..engine.training import evaluate

if TYPE_CHECKING:
    from .sessions import Session


def finite_or_none(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


class Monitor:
    """The diagnostics bookkeeping of one session (pickled with it)."""

    def __init__(self) -> None:
        self.baseline: list[float | None] | None = None  # gradient sizes first recorded
        self.lowest_test_loss: float | None = None        # since the last change
        self.vanishing = False                             # flagged at the last evaluation
        self._key: tuple | None = None
        self._measured: tuple[dict, dict] | None = None

    def changed(self) -> None:
        """Something about the network or its training changed: the next record starts
        the comparisons afresh."""
        self.baseline = None
        self.lowest_test_loss = None
        self.vanishing = False

    def recorded(self, metrics: dict, sizes: list[float | None]) -> None:
        """A history point was recorded with these numbers."""
        if self.baseline is None:
            self.baseline = list(sizes)
        test = metrics.get("test_loss")
        if test is not None and (self.lowest_test_loss is None or test < self.lowest_test_loss):
            self.lowest_test_loss = test

    def evaluate(self, session: Session) -> tuple[dict, dict]:
        """Metrics and diagnostics of the session's present state."""
        metrics, measured = self._measure(session)
        flag = diag.gradient_flag(measured["gradient_sizes"], self.baseline,
                                  measured["blocked"], measured["saturation"],
                                  getattr(self, "vanishing", False))
        self.vanishing = flag.kind == "vanishing"
        diagnostics = {
            "dead_units": measured["dead_units"], "gradient_sizes": measured["gradient_sizes"],
            "gradient_flag": flag.kind, "gradient_ratio": finite_or_none(flag.ratio),
            "gradient_cause": flag.cause, "blocked_layer": flag.blocked_layer,
            "overfitting": diag.overfitting(metrics["train_loss"], metrics["test_loss"],
                                       self.lowest_test_loss),
            "confusion": measured["confusion"],
        }
        return dict(metrics), diagnostics

    def _measure(self, s: Session) -> tuple[dict, dict]:
        """What one forward pass per set tells, once per state: the weights, the data, the
        threshold and every layer's activation (a switch keeps the weights)."""
        net, d, c = s.net, s.data, s.config
        key = (hash(net.theta.tobytes()), id(s.x_train), c.threshold, net.head.id,
               tuple(net.sizes), tuple(h.activation for h in net.hidden))
        if self._key == key and self._measured is not None:
            return self._measured
        with np.errstate(all="ignore"):
            train_set = kernels.measure(net, s.x_train, s.t_train)
            fwd_train = train_set.fwd
            fwd_test = kernels.forward(net, s.x_test)
        train = evaluate(net, s.x_train, s.t_train, d.y_train, c.threshold, fwd_train)
        test = evaluate(net, s.x_test, s.t_test, d.y_test, c.threshold, fwd_test)
        metrics = {"train_loss": finite_or_none(train.loss), "test_loss": finite_or_none(test.loss)}
        t = s.trainer
        if metrics["train_loss"] is None and not t.diverged:
            # e.g. weights typed in by hand that overflow: report it, as training would
            t.mark_diverged(
                f"the training loss is not finite at step {t.step} (the outputs overflow): "
                f"lower the learning rate (now {c.learning_rate:g}) or the weights, then reset",
                "loss_overflow", step=t.step, learning_rate=c.learning_rate)
        if net.head.is_classifier:
            metrics["train_accuracy"] = train.accuracy
            metrics["test_accuracy"] = test.accuracy
        measured = {"dead_units": train_set.dead_units,
                    "gradient_sizes": train_set.gradient_sizes,
                    "blocked": diag.blocked_layer(net, fwd_train, train_set.dead_units),
                    "saturation": diag.saturation(net, fwd_train), "confusion": None}
        if net.head.is_classifier and len(d.x_test):
            predicted = net.head.predict(fwd_test.output, c.threshold)
            measured["confusion"] = diag.confusion_matrix(predicted, d.y_test, d.classes)
        self._key, self._measured = key, (metrics, measured)
        return self._measured
