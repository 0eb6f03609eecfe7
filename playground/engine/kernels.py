"""The compiled engine: when it runs, what it is given, and its forward pass as a `Forward`.

The arithmetic is in `kernels_ops.py` (Numba); this side builds the integer layout of a
network, passes the trainer's arrays (theta and the optimizer's state vectors are updated
in place, so the compiled and the NumPy paths can take turns at any step) and falls back:
`PLAYGROUND_JIT=0`, numba missing, a kernel that fails to compile, or a network using an
id the kernels do not know (a registry row added to the NumPy path only) all mean the
NumPy reference runs instead, and the server works as before.

Compilation happens once per process, on first use or in `warm_up()`'s thread, and is
cached on disk (`cache=True`): in `__pycache__` beside the package; when that is read-only,
in Numba's user-wide folder (~/.cache/numba); when that is too, in a folder of the system's
temporary directory; `NUMBA_CACHE_DIR` overrides them all.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from dataclasses import dataclass

import numpy as np

from . import diagnostics
from .activations import (_GELU_C, _GELU_K, ACTIVATIONS, ELU_ALPHA, LEAKY_SLOPE,
                          RRELU_EVAL_SLOPE, RRELU_LOWER, RRELU_UPPER)
from .batch_norm import BN_EPS, BN_MOMENTUM
from .heads import HEADS
from .nn import Forward, HiddenLayer, Network
from .optimizers import ADAM_EPS, Optimizer, make_optimizer

Array = np.ndarray
log = logging.getLogger(__name__)

try:
    from numba.core import config as numba_config

    try:
        from . import kernels_ops as ops
    except RuntimeError:  # numba found nowhere to cache beside the package or in $HOME
        numba_config.CACHE_DIR = os.path.join(tempfile.gettempdir(), "playground-numba-cache")
        from . import kernels_ops as ops
    _failure: str | None = None
except Exception as exc:  # noqa: BLE001  ImportError without numba; RuntimeError if it cannot cache
    ops = None  # type: ignore[assignment]
    _failure = f"numba cannot load the kernels: {exc!r}"

_compile_lock = threading.Lock()
_compiled = False
COMPILED_FROM = 200_000   # rows x parameters (kernels.forward)
_CONSTS = np.array([LEAKY_SLOPE, ELU_ALPHA, _GELU_C, _GELU_K, RRELU_LOWER, RRELU_UPPER,
                    RRELU_EVAL_SLOPE, BN_EPS, BN_MOMENTUM])  # order: ops.LEAKY..BN_MOMENTUM
_NO_STATS = np.zeros((2, 0, 0))  # batch norm's running statistics where no layer has it
_PLANS: dict[tuple, tuple | None] = {}


def enabled() -> bool:
    """True unless PLAYGROUND_JIT=0, numba is missing or a kernel failed to compile."""
    return _failure is None and os.environ.get("PLAYGROUND_JIT", "1") != "0"


def disabled_reason() -> str | None:
    """Why the NumPy reference runs instead, or None when the compiled engine is on."""
    if os.environ.get("PLAYGROUND_JIT", "1") == "0":
        return "PLAYGROUND_JIT=0"
    return _failure


def plan(net: Network) -> tuple | None:
    """The network's layout for the kernels (see kernels_ops), or None when it uses an id
    the kernels do not implement. Cached per structure: theta's layout follows from it."""
    key = (tuple(net.sizes), tuple((h.activation, h.dropout, h.noise_sigma, h.batch_norm)
                                   for h in net.hidden), net.head.id)
    try:
        return _PLANS[key]
    except KeyError:
        if len(_PLANS) > 1024:  # structures seen by a long-running server: start over
            _PLANS.clear()
        found = _PLANS[key] = _build_plan(net)
        return found


def _build_plan(net: Network) -> tuple | None:
    acts = [h.activation for h in net.hidden]
    if net.head.id not in ops.HEAD_CODES or any(a not in ops.ACTIVATION_CODES for a in acts):
        return None
    sizes = np.asarray(net.sizes, dtype=np.int64)
    codes = [ops.ACTIVATION_CODES[a] for a in acts] + [ops.HEAD_CODES[net.head.id]]
    norms = np.array([h.batch_norm for h in net.hidden], dtype=np.int64)
    layout = (sizes, np.asarray(codes, dtype=np.int64), _padded_positions(net), norms)
    rates = np.array([[h.dropout for h in net.hidden], [h.noise_sigma for h in net.hidden]],
                     dtype=np.float64).reshape(2, -1)
    return layout, rates


def _padded_positions(net: Network) -> Array:
    """Where each entry of theta sits in the kernels' padded vector (see kernels_ops)."""
    depth, width = net.depth, _width(net)
    hidden = max(depth - 1, 1) * width
    first = {"W": 0, "b": depth * width * width, "s": depth * width * (width + 1)}
    first["g"] = first["s"] + hidden   # batch norm's gamma, then beta ("B")
    first["B"] = first["g"] + hidden
    where = np.empty(net.theta.size, dtype=np.int64)
    for (kind, l), start, stop in net.layout:
        if kind == "W":  # row i of weights[l] lands at W[l, i, :]
            rows, cols = np.divmod(np.arange(stop - start), net.sizes[l + 1])
            where[start:stop] = first[kind] + l * width * width + rows * width + cols
        else:
            where[start:stop] = first[kind] + l * width + np.arange(stop - start)
    return where


def _width(net: Network) -> int:
    """P: the widest layer, rounded up to a multiple of 4 (kernels_ops.q_size)."""
    return (max(net.sizes) + 3) // 4 * 4


def _stats(net: Network) -> Array:
    """Batch norm's running statistics as the kernels take them: (2, L-1, P), means then
    variances, zero where a layer has none; `_NO_STATS` when no layer has."""
    if all(m is None for m in net.bn_mean):
        return _NO_STATS
    stats = np.zeros((2, max(net.depth - 1, 1), _width(net)))
    for h, (mean, var) in enumerate(zip(net.bn_mean, net.bn_var)):
        if mean is not None:
            stats[0, h, : mean.size], stats[1, h, : var.size] = mean, var
    return stats


def ready(net: Network, optimizer: Optimizer | None = None) -> tuple | None:
    """The plan when the compiled engine can run this network (compiling on first use),
    else None."""
    if not enabled() or (optimizer is not None and optimizer.id not in ops.OPTIMIZER_CODES):
        return None
    found = plan(net)
    if found is None or not (_compiled or _compile()):
        return None
    return found


def _compile() -> bool:
    """Compile (or load from the disk cache) every kernel by running it on a tiny network;
    a failure switches the compiled engine off for this process, with a warning."""
    global _compiled, _failure
    with _compile_lock:
        if not _compiled and _failure is None:
            slp = numba_config.SLP_VECTORIZE
            try:
                # SLP vectorization, off by default in numba since 0.57 after LLVM
                # miscompiled integer code with it (numba#8852), makes the products in
                # kernels_ops 2x faster; their results are the scalar code's and
                # tests/test_kernels.py holds them to the NumPy reference
                numba_config.SLP_VECTORIZE = 1
                _exercise()
                _compiled = True
            except Exception as exc:  # noqa: BLE001  numba typing or lowering, LLVM, ...
                _failure = f"the kernels failed to compile: {exc!r}"
                log.warning("compiled engine off, NumPy reference in use: %s", _failure)
            finally:
                numba_config.SLP_VECTORIZE = slp
    return _compiled


def _exercise() -> None:
    rng = np.random.default_rng(0)
    net = Network.build(2, [HiddenLayer(2, "tanh", 0.5)], HEADS["sigmoid"], 1, "xavier", rng)
    x, t = rng.normal(size=(4, 2)), np.ones((4, 1))
    found = plan(net)
    forward_all(net, x, found)
    ops.measure_set(net.theta, found[0], _CONSTS, x, np.ones((4, 1)), _stats(net))
    order = np.arange(4)[None, :]
    train(net, make_optimizer("adam"), x, t, order, np.array([[0, 0, 2]]), rng.random(8),
          learning_rate=0.1, batch_size=2, regularization="l2", reg_rate=0.1, found=found)


def warm_up() -> threading.Thread:
    """Compile every kernel in a background thread (call at start-up); returns the thread.
    Not a daemon: the interpreter must not exit in the middle of an LLVM compilation."""
    thread = threading.Thread(target=lambda: enabled() and _compile(), name="kernels-warm-up")
    thread.start()
    return thread


def train(net: Network, optimizer: Optimizer, x: Array, targets: Array, orders: Array,
          segments: Array, uniforms: Array, *, learning_rate: float, batch_size: int,
          regularization: str, reg_rate: float, found: tuple) -> bool:
    """Run the steps described by `segments` (S, 3) over `orders` (R, n) (see
    kernels_ops.train_run) on net.theta and the optimizer's state, in place; `found` is
    `ready(net, optimizer)`. Returns whether every parameter is still finite."""
    layout, rates = found
    theta = net.theta
    optimizer._scratch(theta)  # state vectors laid out like theta, as its own step makes them
    state = [optimizer.state[name] for name in optimizer.state_vectors]
    state += [theta[:0]] * (3 - len(state))  # slots the optimizer does not use: empty
    hyper = (float(learning_rate), float(reg_rate), float(optimizer.momentum),
             float(optimizer.beta1), float(optimizer.beta2), ADAM_EPS)
    settings = (ops.OPTIMIZER_CODES[optimizer.id], ops.REGULARIZER_CODES[regularization],
                int(batch_size), int(getattr(optimizer, "t_mixed", False)))
    stats = _stats(net)
    finite = ops.train_run(theta, state[0], state[1], state[2], layout, rates, _CONSTS, hyper,
                           settings, _float_matrix(x), _float_matrix(targets), orders,
                           segments, uniforms, stats)
    if stats is not _NO_STATS:  # moved in place, as the reference's bn_forward moves them
        for h, (mean, var) in enumerate(zip(net.bn_mean, net.bn_var)):
            if mean is not None:
                mean[:], var[:] = stats[0, h, : mean.size], stats[1, h, : var.size]
    return finite


def forward_all(net: Network, x: Array, found: tuple) -> tuple[Array, Array]:
    """Z and A (L+1, n, P): every node's pre-activation and value for the rows of x
    (n, inputs), no dropout; layer l's are [l, :, :sizes[l]]."""
    layout, rates = found
    return ops.forward_all(net.theta, layout, rates, _CONSTS, _float_matrix(x), _stats(net))


def forward(net: Network, x: Array, compiled_from: int = COMPILED_FROM) -> Forward:
    """`net.forward(x)` (no dropout), by the compiled engine when it can run and the work
    is big enough; each layer's arrays are then views of two (L+1, n, P) buffers. Below
    `compiled_from` (rows x parameters) NumPy is faster (DEFAULT, 50 x 50 grid: 0.075 ms
    vs 0.101); above it the kernel is (MAX: 250 training points 0.053 vs 0.078, the 50 x 50
    grid 0.51 vs 0.56) and, holding no GIL, lets two frames run on two cores (30 students
    on MAX: +22% frames/s)."""
    found = ready(net)
    n = x.shape[0]
    if found is None or n == 0 or n * net.theta.size < compiled_from:
        return net.forward(x)
    Z, A = forward_all(net, x, found)
    return _as_forward(net, x, Z, A)


@dataclass
class SetMeasure:
    """What the diagnostics read from a whole set: its forward pass (no dropout), the
    gradient sizes (`diagnostics.gradient_sizes`) and the dead units
    (`diagnostics.dead_units`)."""

    fwd: Forward
    gradient_sizes: list[float | None]
    dead_units: list[str]


def measure(net: Network, x: Array, targets: Array,
            compiled_from: int = 0) -> SetMeasure:
    """A whole set's `SetMeasure`, in one compiled call when the engine can run it (from
    `compiled_from` rows x parameters; unlike `forward`, the kernel is faster at any size:
    DEFAULT's training set 0.035 ms vs NumPy's 0.071), else by the NumPy reference."""
    found = ready(net)
    n = x.shape[0]
    if found is None or n == 0 or n * net.theta.size < compiled_from:
        with np.errstate(all="ignore"):
            fwd = net.forward(x)
        return SetMeasure(fwd, diagnostics.gradient_sizes(net, x, targets, fwd),
                          diagnostics.dead_units(net, x, fwd))
    Z, A, rms, live = ops.measure_set(net.theta, found[0], _CONSTS, _float_matrix(x),
                                      _float_matrix(targets), _stats(net))
    layers, units = np.nonzero(~live[1:net.depth])
    return SetMeasure(_as_forward(net, x, Z, A),
                      [float(r) if np.isfinite(r) else None for r in rms],
                      [f"{l + 1}:{j}" for l, j in zip(layers.tolist(), units.tolist())
                       if j < net.sizes[l + 1]])


def _as_forward(net: Network, x: Array, Z: Array, A: Array) -> Forward:
    """A `Forward` whose layers are views of the kernels' (L+1, n, P) buffers."""
    zs: list[Array | None] = [None] + [Z[l, :, :size] for l, size in enumerate(net.sizes) if l]
    acts = [x] + [A[l, :, :size] for l, size in enumerate(net.sizes) if l]
    params = [None] + [ACTIVATIONS[h.activation].param(s) for h, s in zip(net.hidden, net.slopes)]
    return Forward(zs, acts, acts, [None] * len(acts), params + [None])


def _float_matrix(x: Array) -> Array:
    """x as a writeable C-contiguous float64 matrix: the one array type the kernels are
    compiled for (a read-only or strided array would compile a second signature)."""
    if x.dtype == np.float64 and x.flags.c_contiguous and x.flags.writeable:
        return x
    return np.array(x, dtype=np.float64, order="C")
