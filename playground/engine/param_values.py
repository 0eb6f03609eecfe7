"""A network's parameters set by value: one weight, bias, PReLU slope or batch norm value;
all of them at once, checked against the current shapes; and arrays shaped like them laid
out as theta. A mixin of nn.Network: it writes into the network's views of theta (and its
batch norm buffers), so the optimizer and the compiled engine see every change.
"""

from __future__ import annotations

import numpy as np

from .batch_norm import checked_values

Array = np.ndarray


class ParamValues:
    """Network's value edits (see the module docstring)."""

    def set_weight(self, layer: int, src: int, dst: int, value: float) -> None:
        self.weights[layer][src, dst] = value

    def set_bias(self, layer: int, node: int, value: float) -> None:
        self.biases[layer][node] = value

    def set_slope(self, layer: int, node: int, value: float) -> None:
        """Hidden layer `layer`'s PReLU slope of unit `node` (the layer must be PReLU)."""
        self.slopes[layer][node] = value

    def set_norm_value(self, layer: int, node: int, field: str, value: float) -> None:
        """Hidden layer `layer`'s batch norm `field` (gamma, beta, mean, var) of unit `node`."""
        lists = {"gamma": self.gammas, "beta": self.betas, "mean": self.bn_mean, "var": self.bn_var}
        lists[field][layer][node] = value

    def set_params(
        self, weights: list[Array], biases: list[Array], slopes: list[Array | None] | None = None,
        batch_norm: dict | None = None,
    ) -> None:
        """Replace every parameter; shapes must match the current ones exactly. `batch_norm`:
        any of bn_gamma, bn_beta, bn_mean, bn_var, each a list per hidden layer (None where
        the layer has no batch norm); a variance must not be negative."""
        self._check_params(weights, biases, slopes)
        norms = self._checked_batch_norm(batch_norm or {})
        for view, new in zip(self.weights + self.biases, list(weights) + list(biases)):
            view[...] = new
        for view, new in zip(self.slopes, slopes or []):
            if view is not None:
                view[...] = new
        for _, targets, values in norms:
            for target, new in zip(targets, values):
                if target is not None:
                    target[...] = new

    def _checked_batch_norm(self, given: dict) -> list[tuple[str, list, list]]:
        """batch_norm.checked_values against this network's lists."""
        return checked_values(given, {"bn_gamma": self.gammas, "bn_beta": self.betas,
                                      "bn_mean": self.bn_mean, "bn_var": self.bn_var})

    def flat_like(self, weights: list, biases: list, slopes: list, gammas: list | None = None,
                  betas: list | None = None) -> Array:
        """Arrays shaped like the parameters (e.g. an optimizer's state read from a file) as
        one vector laid out like `theta`; ValueError naming what does not fit. Missing
        batch norm entries are zeros (a state that starts afresh)."""
        self._check_params(weights, biases, slopes)
        norms = self._checked_batch_norm({"bn_gamma": gammas, "bn_beta": betas})
        flat = np.zeros_like(self.theta)
        views = self.gradients_into(flat)
        for view, new in zip(views.weights + views.biases, list(weights) + list(biases)):
            view[...] = new
        for view, new in zip(views.slopes, slopes):
            if view is not None:
                view[...] = new
        into = {"bn_gamma": views.gammas, "bn_beta": views.betas}
        for name, _, values in norms:
            for target, new in zip(into[name], values):
                if target is not None:
                    target[...] = new
        return flat

    def _check_params(self, weights: list, biases: list, slopes: list | None) -> None:
        _check_shapes("weights", weights, self.weights)
        _check_shapes("biases", biases, self.biases)
        if slopes is not None:
            if len(slopes) != len(self.slopes):
                raise ValueError(f"prelu_slopes needs {len(self.slopes)} entries, got {len(slopes)}")
            for k, (new, old) in enumerate(zip(slopes, self.slopes)):
                if (new is None) != (old is None):
                    want = "null (layer is not PReLU)" if old is None else f"{old.shape[0]} slopes"
                    raise ValueError(f"prelu_slopes[{k}] must be {want}")
                if new is not None and np.shape(new) != old.shape:
                    raise ValueError(f"prelu_slopes[{k}] must have shape {list(old.shape)}")


def _check_shapes(name: str, new: list, old: list[Array]) -> None:
    if len(new) != len(old):
        raise ValueError(f"{name} needs {len(old)} arrays, got {len(new)}")
    for l, (n, o) in enumerate(zip(new, old)):
        if np.shape(n) != o.shape:
            raise ValueError(f"{name}[{l}] must have shape {list(o.shape)}, got {list(np.shape(n))}")
        if not np.isfinite(np.asarray(n, dtype=np.float64)).all():
            raise ValueError(f"{name}[{l}] must hold finite numbers only")
