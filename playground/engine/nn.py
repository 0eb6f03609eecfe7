"""The multilayer perceptron: parameters, a batched forward pass, a pure backward pass,
and the structural edits that keep every parameter they can (their code is in edits.py).

Layers are numbered as in the contract: layer 0 is the input, layers 1..L-1 are hidden,
layer L is the output. `weights[l]` has shape (n_l, n_{l+1}) and `biases[l]` shape
(n_{l+1},), so `z_{l+1} = a_l @ weights[l] + biases[l]`. Hidden layer k (0-based, as the
API counts them) is layer k + 1. Parameters are keyed ("W", l), ("b", l), ("s", k)
(PReLU slopes of hidden layer k), ("g", k) and ("B", k) (batch norm's gamma and beta of
hidden layer k) so that optimizer state can follow them through edits.

Batch normalization (a hidden layer's `batch_norm`) is PyTorch's BatchNorm1d between the
layer's linear part and its activation: y = (z - mean) / sqrt(var + eps) * gamma + beta,
with the batch's mean and (biased) variance in training, which also moves the running
statistics (`bn_mean`, `bn_var`, momentum 0.1, the unbiased variance; not parameters),
and those running statistics in evaluation.

Every parameter lives in one flat vector `theta`; `weights`, `biases` and `slopes` are
views into it. An optimizer then updates the whole network with a handful of NumPy calls
instead of a few per array, which is most of what makes a small network train fast.
Edits that change shapes rebuild `theta` (`_pack`); edits of values write through views.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field

import numpy as np

from .activations import ACTIVATIONS, prelu_slope_grad_factor
from .batch_norm import BatchNormPass, bn_backward, bn_forward
from .edits import HiddenLayer, StructuralEdits, initial_batch_norm, initial_slopes
from .heads import Head
from .initializers import INITIALIZERS
from .param_values import ParamValues

Array = np.ndarray
Key = tuple[str, int]


@dataclass
class Forward:
    """Every layer's values for a batch. Index l is layer l (0 = inputs).

    `z[l]` pre-activations (None for l = 0), `a[l]` values passed on (after dropout),
    `a_raw[l]` values before dropout (the same array when there is none), `mask[l]` the
    inverted-dropout mask or None, `p[l]` the activation's parameter as used (PReLU's
    slopes, RReLU's drawn slopes, Noisy ReLU's noise; see activations). `a[L]` is the
    head's output (probabilities or y_hat).
    """

    z: list[Array | None]
    a: list[Array]
    a_raw: list[Array]
    mask: list[Array | None]
    p: list = field(default_factory=list)
    bn: list[BatchNormPass | None] = field(default_factory=list)   # per layer, or None
    z_linear: list[Array | None] = field(default_factory=list)     # before batch norm

    @property
    def logits(self) -> Array:
        return self.z[-1]

    @property
    def output(self) -> Array:
        return self.a[-1]


@dataclass
class Gradients:
    """Gradients of the batch's mean data loss. `dz[l]` is dL/dz for layer l (None at 0)."""

    weights: list[Array]
    biases: list[Array]
    slopes: list[Array | None]
    dz: list[Array | None]
    gammas: list[Array | None] = field(default_factory=list)
    betas: list[Array | None] = field(default_factory=list)


@dataclass
class Network(StructuralEdits, ParamValues):
    """Sizes, per-hidden-layer choices, the head and every parameter."""

    sizes: list[int]
    hidden: list[HiddenLayer]
    head: Head
    weights: list[Array]
    biases: list[Array]
    slopes: list[Array | None] = field(default_factory=list)  # per hidden layer
    init: str = "xavier"
    gammas: list[Array | None] = field(default_factory=list)  # per hidden layer; batch norm
    betas: list[Array | None] = field(default_factory=list)
    bn_mean: list[Array | None] = field(default_factory=list)  # running statistics
    bn_var: list[Array | None] = field(default_factory=list)
    theta: Array = field(init=False, repr=False)
    layout: list[tuple[Key, int, int]] = field(init=False, repr=False)  # key, start, stop

    def __post_init__(self) -> None:
        hidden = len(self.sizes) - 2
        for name in ("gammas", "betas", "bn_mean", "bn_var"):
            if not getattr(self, name):
                setattr(self, name, [None] * hidden)
        self._pack()

    def _pack(self) -> None:
        """Copy every parameter into a fresh flat `theta` and make the lists views of it."""
        arrays = [np.asarray(p, dtype=np.float64) for p in self._param_list()]
        self.theta = np.concatenate([p.ravel() for p in arrays]) if arrays else np.zeros(0)
        self.layout, start = [], 0
        for key, p in zip(self.param_keys(), arrays):
            self.layout.append((key, start, start + p.size))
            start += p.size
        self._view()

    def _view(self) -> None:
        """Point weights, biases and slopes at their slices of theta."""
        sizes = self.sizes
        unit = lambda k: (sizes[k + 1],)  # noqa: E731
        shapes = {"W": lambda l: (sizes[l], sizes[l + 1]), "b": unit, "s": unit, "g": unit,
                  "B": unit}
        views = {key: self.theta[start:stop].reshape(shapes[key[0]](key[1]))
                 for key, start, stop in self.layout}
        self.weights = [views[("W", l)] for l in range(len(sizes) - 1)]
        self.biases = [views[("b", l)] for l in range(len(sizes) - 1)]
        self.slopes = [views.get(("s", k)) for k in range(len(sizes) - 2)]
        self.gammas = [views.get(("g", k)) for k in range(len(sizes) - 2)]
        self.betas = [views.get(("B", k)) for k in range(len(sizes) - 2)]

    def __getstate__(self) -> dict:
        # views would be pickled as copies; keep theta and re-make the views on load
        views = ("weights", "biases", "slopes", "gammas", "betas")
        return {k: v for k, v in self.__dict__.items() if k not in views}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        for name in ("bn_mean", "bn_var"):   # a pickle from before batch norm
            self.__dict__.setdefault(name, [None] * (len(self.sizes) - 2))
        self._view()

    def bn_state(self) -> tuple[list, list]:
        """Copies of the running statistics (the divergence guard restores them)."""
        return ([None if m is None else m.copy() for m in self.bn_mean],
                [None if v is None else v.copy() for v in self.bn_var])

    def set_bn_state(self, state: tuple[list, list]) -> None:
        self.bn_mean, self.bn_var = [list(s) for s in state]

    def weight_mask(self) -> Array:
        """1.0 where theta holds a weight, 0.0 for biases and slopes (never regularized)."""
        mask = np.zeros_like(self.theta)
        for (kind, _), start, stop in self.layout:
            if kind == "W":
                mask[start:stop] = 1.0
        return mask

    # ---------------------------------------------------------------- construction
    @classmethod
    def build(
        cls,
        n_inputs: int,
        hidden: list[HiddenLayer],
        head: Head,
        n_outputs: int,
        init: str,
        rng: np.random.Generator,
    ) -> Network:
        """A fresh network; `init` is an INITIALIZERS id; parameters drawn from `rng`."""
        sizes = [n_inputs] + [h.units for h in hidden] + [n_outputs]
        make = INITIALIZERS[init].make
        weights, biases = [], []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            w, b = make(fan_in, fan_out, rng)
            weights.append(w)
            biases.append(b)
        slopes = [initial_slopes(h) for h in hidden]
        norms = [initial_batch_norm(h) for h in hidden]   # (gamma, beta, mean, var) each
        gammas, betas, means, variances = ([n[i] for n in norms] for i in range(4))
        return cls(sizes, [copy.copy(h) for h in hidden], head, weights, biases, slopes, init,
                   gammas, betas, means, variances)

    def copy(self) -> Network:
        mean, var = self.bn_state()
        return Network(
            list(self.sizes), [copy.copy(h) for h in self.hidden], self.head,
            list(self.weights), list(self.biases), list(self.slopes), self.init,
            list(self.gammas), list(self.betas), mean, var,
        )

    @property
    def depth(self) -> int:
        """Number of weight matrices (L)."""
        return len(self.weights)


    # ---------------------------------------------------------------- parameters
    def param_keys(self) -> list[Key]:
        keys: list[Key] = []
        for l in range(self.depth):
            keys += [("W", l), ("b", l)]
        keys += [("s", k) for k, s in enumerate(self.slopes) if s is not None]
        keys += [("g", k) for k, g in enumerate(self.gammas) if g is not None]
        keys += [("B", k) for k, b in enumerate(self.betas) if b is not None]
        return keys

    def params(self) -> list[Array]:
        """Parameter arrays aligned with `param_keys()` (views into theta)."""
        return self._param_list()

    def _param_list(self) -> list[Array]:
        out: list[Array] = []
        for w, b in zip(self.weights, self.biases):
            out += [w, b]
        out += [s for s in self.slopes if s is not None]
        out += [g for g in self.gammas if g is not None]
        out += [b for b in self.betas if b is not None]
        return out

    def all_finite(self) -> bool:
        return bool(np.isfinite(self.theta).all())

    # ---------------------------------------------------------------- forward / backward
    def forward(self, x: Array, rng: np.random.Generator | None = None,
                training: bool = False) -> Forward:
        """All layers' values for a batch x of shape (n, n_inputs).

        With `rng` (training steps) a layer is random where it should be: first its
        activation's draws (RReLU, Noisy ReLU: `uniforms` per element), then its dropout
        (inverted, so kept values are scaled by 1/(1 - rate) and evaluation needs no
        change), layer by layer. Without it, the evaluation a trace or heatmap shows.
        `training`: batch norm uses the batch's statistics and moves its running ones.
        """
        zs: list[Array | None] = [None]
        acts = [x]
        raws = [x]
        masks: list[Array | None] = [None]
        ps: list = [None]
        bns: list[BatchNormPass | None] = [None]
        linear: list[Array | None] = [None]
        a = x
        last = self.depth - 1
        for l in range(self.depth):
            z = np.dot(a, self.weights[l])
            np.add(z, self.biases[l], out=z)
            linear.append(z)
            if l != last and self.gammas[l] is not None:
                norm = bn_forward(z, self.gammas[l], self.betas[l], self.bn_mean[l],
                                  self.bn_var[l], training)
                bns.append(norm)
                z = norm.y
            else:
                bns.append(None)
            zs.append(z)
            if l == last:
                a = self.head.output(z)
                raws.append(a)
                masks.append(None)
                ps.append(None)
            else:
                layer = self.hidden[l]
                act = ACTIVATIONS[layer.activation]
                if rng is not None and act.draw is not None:
                    p = act.draw(rng.random((act.uniforms, *z.shape)), layer)
                else:
                    p = act.param(self.slopes[l])
                ps.append(p)
                a = act.f(z, p)
                raws.append(a)
                if rng is not None and layer.dropout > 0.0:
                    mask = (rng.random(z.shape) >= layer.dropout) * (1.0 / (1.0 - layer.dropout))
                    a = a * mask
                    masks.append(mask)
                else:
                    masks.append(None)
            acts.append(a)
        return Forward(zs, acts, raws, masks, ps, bns, linear)

    def backward(self, fwd: Forward, targets: Array, into: Gradients | None = None) -> Gradients:
        """Gradients of the head's mean data loss for the batch in `fwd`; changes nothing.

        dL/dW_l = a_l^T dz_{l+1}, dL/db_l = sum over the batch of dz_{l+1},
        dz_l = (dz_{l+1} W_l^T) * mask_l * f'(z_l); PReLU: dL/ds = sum(dL/da * min(z, 0)).
        With `into`, the parameter gradients are written into its arrays (a training step
        passes views of one flat buffer aligned with `theta`).
        """
        depth = self.depth
        g = into or Gradients(
            [np.empty_like(w) for w in self.weights], [np.empty_like(b) for b in self.biases],
            [None if s is None else np.empty_like(s) for s in self.slopes], [None] * (depth + 1),
            [None if g is None else np.empty_like(g) for g in self.gammas],
            [None if b is None else np.empty_like(b) for b in self.betas],
        )
        dz = self.head.dlogits(fwd.z[depth], fwd.a[depth], targets)
        g.dz[depth] = dz
        for l in range(depth, 0, -1):
            np.dot(fwd.a[l - 1].T, dz, out=g.weights[l - 1])
            np.dot(_ones(dz.shape[0]), dz, out=g.biases[l - 1])  # the column sums, 2x faster
            if l == 1:
                break
            da = np.dot(dz, self.weights[l - 1].T)
            mask = fwd.mask[l - 1]
            if mask is not None:
                da *= mask
            k = l - 2  # hidden index of layer l - 1
            act = ACTIVATIONS[self.hidden[k].activation]
            z = fwd.z[l - 1]
            if act.learnable_slope:
                np.add.reduce(da * prelu_slope_grad_factor(z), axis=0, out=g.slopes[k])
            dz = da * act.df(z, fwd.a_raw[l - 1], fwd.p[l - 1])   # dL/dy (y: z after norm)
            norm = fwd.bn[l - 1] if fwd.bn else None
            if norm is not None:
                dz = bn_backward(norm, dz, self.gammas[k], g.gammas[k], g.betas[k])
            g.dz[l - 1] = dz
        return g

    def gradients_into(self, flat: Array) -> Gradients:
        """A Gradients whose parameter arrays are views of `flat` (laid out like theta)."""
        views = [flat[start:stop].reshape(p.shape)
                 for (_, start, stop), p in zip(self.layout, self._param_list())]
        it = iter(views)
        weights, biases = [], []
        for _ in range(self.depth):
            weights.append(next(it))
            biases.append(next(it))
        slopes = [None if s is None else next(it) for s in self.slopes]
        gammas = [None if g is None else next(it) for g in self.gammas]
        betas = [None if b is None else next(it) for b in self.betas]
        return Gradients(weights, biases, slopes, [None] * (self.depth + 1), gammas, betas)

    def flat_gradients(self, grads: Gradients) -> Array:
        """The parameter gradients as one vector aligned with `theta`."""
        return np.concatenate([g.ravel() for g in self.grads_list(grads)])

    def grads_list(self, grads: Gradients) -> list[Array]:
        """Gradient arrays aligned with `param_keys()`."""
        out: list[Array] = []
        for dw, db in zip(grads.weights, grads.biases):
            out += [dw, db]
        out += [ds for s, ds in zip(self.slopes, grads.slopes) if s is not None]
        out += [dg for g, dg in zip(self.gammas, grads.gammas) if g is not None]
        out += [db for b, db in zip(self.betas, grads.betas) if b is not None]
        return out


@functools.lru_cache(maxsize=32)
def _ones(n: int) -> Array:
    """A read-only vector of n ones: ones @ dz sums dz's rows (the bias gradient)."""
    ones = np.ones(n)
    ones.flags.writeable = False
    return ones
