"""A network's hidden layers and how they change: the HiddenLayer a user chooses, and the
structural edits of a Network (layers and neurons added or removed, activations, inputs
and the head changed) that keep every parameter they can.

Each edit returns {old key: new key} for the parameters it kept unchanged, so the
optimizer can carry their state; everything not in the map starts fresh. The edits are a
mixin of nn.Network: they use its parameter lists, `sizes` and `_pack`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .activations import ACTIVATIONS, NOISE_SIGMA, PRELU_INITIAL_SLOPE
from .initializers import INITIALIZERS

if TYPE_CHECKING:
    from .heads import Head

Array = np.ndarray
Key = tuple[str, int]


@dataclass
class HiddenLayer:
    """What the user chooses for one hidden layer."""

    units: int
    activation: str = "tanh"
    dropout: float = 0.0
    noise_sigma: float = NOISE_SIGMA   # Noisy ReLU's, in training
    batch_norm: bool = False           # BatchNorm1d before the activation


def initial_batch_norm(layer: HiddenLayer) -> tuple:
    """(gamma, beta, running mean, running variance) as PyTorch starts them, or Nones."""
    if not layer.batch_norm:
        return None, None, None, None
    n = layer.units
    return np.ones(n), np.zeros(n), np.zeros(n), np.ones(n)


# the per-hidden-layer parameter kinds (indexed by hidden layer, as slopes) and lists
PER_UNIT = ("s", "g", "B")


def initial_slopes(layer: HiddenLayer) -> Array | None:
    if ACTIVATIONS[layer.activation].learnable_slope:
        return np.full(layer.units, PRELU_INITIAL_SLOPE)
    return None


class StructuralEdits:
    """The structural edits of nn.Network."""

    def insert_layer(self, k: int, layer: HiddenLayer, rng: np.random.Generator) -> dict[Key, Key]:
        """Insert hidden layer k (becoming layer k+1). Upstream of it nothing changes; the new
        layer gets fresh weights in and out; the next layer keeps its biases."""
        if not 0 <= k <= len(self.hidden):
            raise IndexError(f"hidden layer index must be in 0..{len(self.hidden)}")
        make = INITIALIZERS[self.init].make
        n_prev, n_next = self.sizes[k], self.sizes[k + 1]
        w_in, b_in = make(n_prev, layer.units, rng)
        w_out, _ = make(layer.units, n_next, rng)
        kept = {}
        for kind, i in self.param_keys():
            if kind in PER_UNIT:
                kept[(kind, i)] = (kind, i if i < k else i + 1)
            elif i < k:
                kept[(kind, i)] = (kind, i)
            elif i > k or kind == "b":  # W_k is replaced; layer k+1 keeps its biases
                kept[(kind, i)] = (kind, i + 1)
        self.weights[k : k + 1] = [w_in, w_out]
        self.biases.insert(k, b_in)
        self.hidden.insert(k, copy.copy(layer))
        self.slopes.insert(k, initial_slopes(layer))
        for name, value in zip(BN_LISTS, initial_batch_norm(layer)):
            getattr(self, name).insert(k, value)
        self.sizes.insert(k + 1, layer.units)
        self._pack()
        return kept

    def remove_layer(self, k: int, rng: np.random.Generator) -> dict[Key, Key]:
        """Remove hidden layer k; its neighbours are joined by fresh weights."""
        if not 0 <= k < len(self.hidden):
            raise IndexError(f"hidden layer index must be in 0..{len(self.hidden) - 1}")
        make = INITIALIZERS[self.init].make
        w, _ = make(self.sizes[k], self.sizes[k + 2], rng)
        kept = {}
        for kind, i in self.param_keys():
            if kind in PER_UNIT:
                if i != k:
                    kept[(kind, i)] = (kind, i if i < k else i - 1)
            elif i < k:
                kept[(kind, i)] = (kind, i)
            elif i > k + 1 or (kind == "b" and i == k + 1):  # W_k, W_k+1, b_k are replaced
                kept[(kind, i)] = (kind, i - 1)
        self.weights[k : k + 2] = [w]
        del self.biases[k]
        del self.hidden[k]
        del self.slopes[k]
        for name in BN_LISTS:
            del getattr(self, name)[k]
        del self.sizes[k + 1]
        self._pack()
        return kept

    def add_neurons(self, k: int, count: int, rng: np.random.Generator) -> dict[Key, Key]:
        """Append `count` units to hidden layer k with fresh weights in and out."""
        if not 0 <= k < len(self.hidden):
            raise IndexError(f"hidden layer index must be in 0..{len(self.hidden) - 1}")
        make = INITIALIZERS[self.init].make
        units = self.sizes[k + 1] + count
        w_in, b_in = make(self.sizes[k], units, rng)
        w_out, _ = make(units, self.sizes[k + 2], rng)
        self.weights[k] = np.hstack([self.weights[k], w_in[:, -count:]])
        self.biases[k] = np.concatenate([self.biases[k], b_in[-count:]])
        self.weights[k + 1] = np.vstack([self.weights[k + 1], w_out[-count:, :]])
        if self.slopes[k] is not None:
            self.slopes[k] = np.concatenate([self.slopes[k], np.full(count, PRELU_INITIAL_SLOPE)])
        if self.gammas[k] is not None:   # new units start as PyTorch's would
            fresh = HiddenLayer(count, batch_norm=True)
            for name, value in zip(BN_LISTS, initial_batch_norm(fresh)):
                getattr(self, name)[k] = np.concatenate([getattr(self, name)[k], value])
        self.hidden[k].units = units
        self.sizes[k + 1] = units
        self._pack()
        return self._identity_keys(drop=_unit_keys(k))

    def remove_neuron(self, k: int, j: int) -> dict[Key, Key]:
        """Remove unit j of hidden layer k with its incoming and outgoing weights."""
        if not 0 <= k < len(self.hidden):
            raise IndexError(f"hidden layer index must be in 0..{len(self.hidden) - 1}")
        if not 0 <= j < self.sizes[k + 1]:
            raise IndexError(f"neuron index must be in 0..{self.sizes[k + 1] - 1}")
        if self.sizes[k + 1] == 1:
            raise ValueError("a hidden layer keeps at least 1 neuron; remove the layer instead")
        self.weights[k] = np.delete(self.weights[k], j, axis=1)
        self.biases[k] = np.delete(self.biases[k], j)
        self.weights[k + 1] = np.delete(self.weights[k + 1], j, axis=0)
        if self.slopes[k] is not None:
            self.slopes[k] = np.delete(self.slopes[k], j)
        for name in BN_LISTS:
            if getattr(self, name)[k] is not None:
                getattr(self, name)[k] = np.delete(getattr(self, name)[k], j)
        self.hidden[k].units -= 1
        self.sizes[k + 1] -= 1
        self._pack()
        return self._identity_keys(drop=_unit_keys(k))

    def set_activation(self, k: int, activation: str) -> dict[Key, Key]:
        """Change hidden layer k's activation; weights stay, PReLU slopes appear or go."""
        self.hidden[k].activation = activation
        had = self.slopes[k]
        self.slopes[k] = had if (had is not None and ACTIVATIONS[activation].learnable_slope) \
            else initial_slopes(self.hidden[k])
        if self.slopes[k] is had:
            return self._identity_keys(drop=set())
        self._pack()
        return self._identity_keys(drop={("s", k)})

    def set_batch_norm(self, k: int, on: bool) -> dict[Key, Key]:
        """Turn hidden layer k's batch norm on (gamma 1, beta 0, fresh running statistics)
        or off; every other parameter stays."""
        if self.hidden[k].batch_norm == on:
            return self._identity_keys(drop=set())
        self.hidden[k].batch_norm = on
        for name, value in zip(BN_LISTS, initial_batch_norm(self.hidden[k])):
            getattr(self, name)[k] = value
        self._pack()
        return self._identity_keys(drop={("g", k), ("B", k)})

    def set_inputs(self, kept_rows: list[int | None], rng: np.random.Generator) -> dict[Key, Key]:
        """New input features: row i of the first weight matrix is old row kept_rows[i], or
        fresh when None. Everything downstream keeps its parameters."""
        make = INITIALIZERS[self.init].make
        fresh, _ = make(len(kept_rows), self.sizes[1], rng)
        old = self.weights[0]
        self.weights[0] = np.array(
            [old[r] if r is not None else fresh[i] for i, r in enumerate(kept_rows)],
            dtype=np.float64,
        ).reshape(len(kept_rows), self.sizes[1])
        self.sizes[0] = len(kept_rows)
        self._pack()
        return self._identity_keys(drop={("W", 0)})

    def set_outputs(self, head: Head, n_outputs: int, rng: np.random.Generator) -> dict[Key, Key]:
        """New head: the last weight matrix and biases are kept if their shape still fits."""
        self.head = head
        if n_outputs == self.sizes[-1]:
            return self._identity_keys(drop=set())
        last = self.depth - 1
        w, b = INITIALIZERS[self.init].make(self.sizes[-2], n_outputs, rng)
        self.weights[last], self.biases[last] = w, b
        self.sizes[-1] = n_outputs
        self._pack()
        return self._identity_keys(drop={("W", last), ("b", last)})

    def _identity_keys(self, drop: set[Key]) -> dict[Key, Key]:
        return {k: k for k in self.param_keys() if k not in drop}


BN_LISTS = ("gammas", "betas", "bn_mean", "bn_var")   # Network's batch norm lists


def _unit_keys(k: int) -> set[Key]:
    """The parameters a change of hidden layer k's units reshapes."""
    return {("W", k), ("b", k), ("W", k + 1), ("s", k), ("g", k), ("B", k)}
