"""The training loop: mini-batches, epochs, regularization, the optimizer and the
divergence guard. It owns no HTTP and no history; the session does that bookkeeping.

One step = one optimizer update on one mini-batch. An epoch = ceil(n / batch_size)
steps over a fresh shuffle (the trainer's rng). When batch_size >= n every step uses
the whole training set in its stored order: textbook full-batch gradient descent.

Divergence: a run checks that every parameter is finite only once, at its end (a check
per step would cost more than the step). If one is not, the run is replayed from its
start, with the same rng state and optimizer state, checking after every step, and stops
before the first update that produced a NaN or infinity: the parameters kept are the
last finite ones, exactly.

Two engines run the steps: `_run` here, the readable NumPy reference, and the compiled one
(`kernels`), used whenever it can run. Both draw the same numbers from the trainer's rng
in the same order (an epoch's permutation, then its dropout uniforms step by step, layer
by layer), so they may take turns at any step; the replay after a divergence is always
the reference's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import kernels
from .activations import ACTIVATIONS
from .nn import Forward, Network
from .optimizers import Optimizer
from .regularizers import REGULARIZERS, Regularizer

Array = np.ndarray
_CHUNK = 1 << 18  # numbers (order entries + dropout draws) handed to the kernel per call
_NO_DRAWS = np.zeros(0)


@dataclass
class Evaluation:
    """Data loss (no penalty) and, for classifiers, accuracy, over one set."""

    loss: float
    accuracy: float | None


def evaluate(net: Network, x: Array, targets: Array, labels: Array, threshold: float = 0.5,
             fwd: Forward | None = None) -> Evaluation:
    """Mean data loss and accuracy of `net` on a whole set (no dropout); `fwd`, when the
    caller already has the forward pass of x, saves computing it again."""
    if x.shape[0] == 0:
        return Evaluation(float("nan"), None)
    with np.errstate(all="ignore"):
        fwd = fwd or net.forward(x)
        loss = net.head.loss(fwd.logits, targets)
        accuracy = None
        if net.head.is_classifier:
            accuracy = float((net.head.predict(fwd.output, threshold) == labels).mean())
    return Evaluation(loss, accuracy)


def example_step(net: Network, x: Array, targets: Array, learning_rate: float) -> None:
    """w -= lr * dL/dw for the mean data loss of (x, targets): plain SGD, no optimizer state,
    no penalty, no dropout (the update the trace's backward steps show)."""
    with np.errstate(all="ignore"):
        grads = net.backward(net.forward(x), targets)
        net.theta -= learning_rate * net.flat_gradients(grads)


class Trainer:
    """Runs optimizer steps of `net` on (x, targets); counts steps and epochs."""

    use_kernels = True  # False: always the NumPy reference (tests, benchmarks)
    _order: Array | None = None  # the current epoch's permutation (None: none drawn yet)

    def __init__(
        self,
        net: Network,
        optimizer: Optimizer,
        x: Array,
        targets: Array,
        *,
        learning_rate: float,
        batch_size: int,
        regularization: str = "none",
        reg_rate: float = 0.0,
        rng: np.random.Generator,
    ) -> None:
        self.net = net
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.regularization = regularization
        self.reg_rate = reg_rate
        self.rng = rng
        self.step = 0
        self.epoch = 0
        self.diverged = False
        self.divergence_reason: str | None = None
        # the same reason for a machine: {"code", "params"} (the page words it)
        self.divergence: dict | None = None
        self.set_data(x, targets)

    # ---------------------------------------------------------------- data
    def set_data(self, x: Array, targets: Array) -> None:
        """New training set: the current epoch is abandoned, the counters stay."""
        self.x = np.ascontiguousarray(x, dtype=np.float64)
        self.targets = np.ascontiguousarray(targets, dtype=np.float64)
        self._order = self._order_x = self._order_t = None  # x[order], targets[order]
        self._cursor = 0  # batches of the current epoch already used

    @property
    def n(self) -> int:
        return self.x.shape[0]

    @property
    def steps_per_epoch(self) -> int:
        return max(1, math.ceil(self.n / self.batch_size))

    @property
    def full_batch(self) -> bool:
        return self.batch_size >= self.n

    def set_batch_size(self, batch_size: int) -> None:
        """A new batch size starts a new epoch (the old batches no longer line up)."""
        if batch_size != self.batch_size:
            self.batch_size = batch_size
            self._order = self._order_x = self._order_t = None
            self._cursor = 0

    def position(self) -> dict:
        """Where training stands: the counters, the current epoch's shuffled order (None
        before it is drawn) and how many of its batches were used."""
        return {"step": self.step, "epoch": self.epoch, "cursor": self._cursor,
                "order": self._order}

    def restore_position(self, step: int, epoch: int, cursor: int, order: Array | None) -> None:
        """Go on from a saved `position()` (a stored session, a model file); ValueError
        when it cannot be this trainer's (an order that is not a permutation of its data)."""
        if cursor < 0 or cursor >= self.steps_per_epoch:
            raise ValueError(f"batches done must be in 0..{self.steps_per_epoch - 1}, got {cursor}")
        if order is not None:
            order = np.asarray(order, dtype=np.int64)
            if order.shape != (self.n,) or not np.array_equal(np.sort(order), np.arange(self.n)):
                raise ValueError(f"the batch order must be a permutation of 0..{self.n - 1}")
        elif cursor:
            raise ValueError("batches done mid-epoch need that epoch's batch order")
        self.step, self.epoch, self._cursor, self._order = step, epoch, cursor, order
        self._order_x = self._order_t = None
        if order is not None:
            self._order_x, self._order_t = self.x[order], self.targets[order]

    # ---------------------------------------------------------------- running
    def run_steps(self, steps: int) -> int:
        """Run up to `steps` steps; returns how many ran (fewer only when it diverges)."""
        if self.diverged or steps <= 0:
            return 0
        saved = self._save()
        with np.errstate(all="ignore"):
            finite = self._run_compiled(steps)
            if finite is None:  # the compiled engine cannot run: the reference does
                self._run(steps)
                finite = self.net.all_finite()
            if finite:
                return steps
            self._restore(saved)
            return self._run_checked(steps)

    def steps_for_epochs(self, epochs: int) -> int:
        """How many steps end `epochs` more epochs (a partial one is finished first)."""
        return epochs * self.steps_per_epoch - self._cursor

    def run_epochs(self, epochs: int) -> int:
        """Run until `epochs` more epochs have ended (finishing a partial one first)."""
        return self.run_steps(self.steps_for_epochs(epochs))

    def _plan(self) -> None:
        """Gradient buffer laid out like theta; rebuilt only after an edit repacked theta."""
        net = self.net
        if getattr(self, "_theta", None) is not net.theta:
            self._theta = net.theta
            self._grad = np.zeros_like(net.theta)
            self._grads = net.gradients_into(self._grad)
            self._weight_mask = net.weight_mask()

    def _run(self, steps: int) -> None:
        self._plan()
        net, opt, rng = self.net, self.optimizer, self.rng
        theta, grad, grads, wmask = self._theta, self._grad, self._grads, self._weight_mask
        lr, bs, n = self.learning_rate, self.batch_size, self.n
        reg: Regularizer = REGULARIZERS[self.regularization]
        rate = self.reg_rate if reg.id != "none" else 0.0
        random = any(h.dropout > 0.0 or ACTIVATIONS[h.activation].draw is not None
                     for h in net.hidden)
        train_rng = rng if random else None
        spe = self.steps_per_epoch
        full = self.full_batch
        for _ in range(steps):
            if full:
                xb, tb = self.x, self.targets
            else:
                if self._order_x is None:
                    self._order = order = rng.permutation(n)
                    self._order_x, self._order_t = self.x[order], self.targets[order]
                lo = self._cursor * bs
                xb, tb = self._order_x[lo : lo + bs], self._order_t[lo : lo + bs]
            net.backward(net.forward(xb, train_rng, training=True), tb, into=grads)
            if rate:  # weights only: the mask zeroes the penalty's gradient on biases
                grad += rate * reg.grad(theta) * wmask
            opt.step(theta, grad, lr)
            self.step += 1
            self._cursor += 1
            if self._cursor == spe:
                self._cursor = 0
                self.epoch += 1
                self._order = self._order_x = self._order_t = None

    def _run_compiled(self, steps: int) -> bool | None:
        """`_run(steps)` by the compiled engine: whether every parameter is finite after it,
        or None (nothing done) when it cannot run.

        The rng draws are those of `_run`, vectorised per epoch: the permutation, then the
        epoch's dropout uniforms in one `rng.random(k)` call (a Generator draws doubles in
        sequence, so one call of size a + b gives the draws of a call of a, then of b).
        """
        found = kernels.ready(self.net, self.optimizer) if self.use_kernels and self.n else None
        if found is None or (self._order_x is not None and self._order is None):
            return None  # the second case: a pickle from before `_order` was kept
        rng, n, bs, spe = self.rng, self.n, self.batch_size, self.steps_per_epoch
        identity = np.arange(n) if self.full_batch else None  # full batch: the stored order
        # uniforms an example takes a step: its random activations', then its dropout's
        per_example = sum(h.units * (ACTIVATIONS[h.activation].uniforms + (h.dropout > 0.0))
                          for h in self.net.hidden)
        order, cursor, left = self._order, self._cursor, steps
        orders: list[Array] = []
        segments: list[tuple[int, int, int]] = []  # (orders row, first batch, batches)
        draws: list[Array] = []
        size, finite = 0, True  # size: numbers in orders and draws, bounds a call's memory
        while left:
            take = min(left, spe - cursor)
            if order is None:
                order = identity if identity is not None else rng.permutation(n)
            if not orders or orders[-1] is not order:
                orders.append(order)
                size += n
            if per_example:
                examples = min(n, (cursor + take) * bs) - cursor * bs
                draws.append(rng.random(examples * per_example))
                size += draws[-1].size
            segments.append((len(orders) - 1, cursor, take))
            cursor, left = cursor + take, left - take
            if cursor == spe:
                cursor, order = 0, None
                self.epoch += 1
            if left == 0 or size > _CHUNK:
                finite = kernels.train(
                    self.net, self.optimizer, self.x, self.targets,
                    orders[0][None] if len(orders) == 1 else np.stack(orders),
                    np.array(segments, dtype=np.int64),
                    np.concatenate(draws) if draws else _NO_DRAWS,
                    learning_rate=self.learning_rate, batch_size=bs,
                    regularization=self.regularization, reg_rate=self.reg_rate, found=found)
                orders, segments, draws, size = [], [], [], 0
                if not finite:
                    break  # the guard restores the saved state and replays
        self.step += steps
        self._cursor = cursor
        if order is not self._order:  # a new epoch began and did not end in this run
            self._order = order
            self._order_x = self._order_t = None
            if order is not None:
                self._order_x, self._order_t = self.x[order], self.targets[order]
        return finite

    def _run_checked(self, steps: int) -> int:
        for done in range(steps):
            saved = self._save()
            self._run(1)
            if not self.net.all_finite():
                self._restore(saved)
                self.mark_diverged(
                    f"step {self.step + 1} made a parameter NaN or infinite "
                    f"(learning rate {self.learning_rate:g} is probably too high); "
                    f"the parameters are those after step {self.step}",
                    "step_overflow", step=self.step + 1, last_step=self.step,
                    learning_rate=self.learning_rate)
                return done
        return steps

    def mark_diverged(self, reason: str, code: str, **params: object) -> None:
        """Stop training: `reason` in English, `code` and `params` for a machine."""
        self.diverged = True
        self.divergence_reason = reason
        self.divergence = {"code": code, "params": params}

    def clear_divergence(self) -> None:
        self.diverged = False
        self.divergence_reason = None
        self.divergence = None

    def __getstate__(self) -> dict:
        # the gradient buffer's views would unpickle as copies: let _plan make them anew
        skip = ("_theta", "_grad", "_grads", "_weight_mask")
        return {k: v for k, v in self.__dict__.items() if k not in skip}

    # ---------------------------------------------------------------- save / restore
    def _save(self) -> tuple:
        return (
            self.net.theta.copy(), self.optimizer.save(), self.rng.bit_generator.state,
            self.step, self.epoch, self._cursor, self._order, self._order_x, self._order_t,
            self.net.bn_state(),
        )

    def _restore(self, saved: tuple) -> None:
        (theta, opt_state, rng_state, self.step, self.epoch, self._cursor,
         self._order, self._order_x, self._order_t, bn_state) = saved
        self.net.theta[...] = theta  # in place: the weight views stay valid
        self.net.set_bn_state(bn_state)
        self.optimizer.load(opt_state)
        self.rng.bit_generator.state = rng_state

    def apply_edit(self, edit: Callable[[], dict]) -> None:
        """Run a structural edit of the network and carry the optimizer state it kept."""
        old_layout = list(self.net.layout)
        kept = edit()
        self.optimizer.remap(old_layout, self.net.layout, kept)
