"""Training speed: the compiled engine, the NumPy reference and a minimal NumPy loop.

Run by hand: `python benchmarks/train_speed.py [--seconds 3] [--epochs-per-call 1]`.
Prints epochs per second of the compiled engine (Trainer with kernels), the NumPy
reference (Trainer.use_kernels = False) and the minimal loop (the floor of what NumPy can
do), measured in alternating short windows; and the cost of one grid evaluation of every
node over 100 x 100 points, compiled and reference. Goals (training only, one epoch per
call as the page's slowest speed asks): DEFAULT >= 15,000 epochs/s, MAX >= 3,000.

DEFAULT = circle, 500 points, 50% train, x1 x2, hidden [4, 2] tanh, batch 10, SGD 0.03.
MAX = the heaviest network the page allows: spiral, 500 points, 50% train, all 7
features, 8 hidden layers x 16 ReLU, batch 10, SGD 0.03. (frame_cost.py and
page_play.py still use the former MAX, 6 layers x 8.)

With `--batch-norm`, every hidden layer also has batch norm, and the two engines are
compared alone (the minimal loop has none).

The minimal loop is what a hand-written script would do: preallocated buffers, the layers
unrolled over fixed lists, no dropout/regularization/PReLU branches, no divergence guard,
no bookkeeping. It uses the same data, the same initial weights and the same batch order,
and both engines' final weights are checked against it (they must agree to 1e-9).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.engine import kernels  # noqa: E402
from playground.engine.datasets import make_data  # noqa: E402
from playground.engine.features import FEATURES, feature_matrix  # noqa: E402
from playground.engine.heads import HEADS  # noqa: E402
from playground.engine.nn import HiddenLayer, Network  # noqa: E402
from playground.engine.optimizers import make_optimizer  # noqa: E402
from playground.engine.training import Trainer  # noqa: E402

CONFIGS = {
    "DEFAULT": dict(dataset="circle", features=["x1", "x2"], hidden=[4, 2], activation="tanh"),
    "MAX": dict(dataset="spiral", features=list(FEATURES), hidden=[16] * 8, activation="relu"),
}
LEARNING_RATE = 0.03
BATCH = 10


BATCH_NORM = False  # --batch-norm


def setup(name: str, seed: int = 1):
    cfg = CONFIGS[name]
    data = make_data(cfg["dataset"], num_samples=500, noise=0, train_ratio=50, data_seed=seed)
    x = feature_matrix(data.x_train, cfg["features"])
    head = HEADS["sigmoid"]
    t = head.targets(data.y_train, 1)
    hidden = [HiddenLayer(u, cfg["activation"], batch_norm=BATCH_NORM) for u in cfg["hidden"]]
    net = Network.build(x.shape[1], hidden, head, 1, "xavier", np.random.default_rng(seed))
    return x, t, net, cfg["activation"]


def engine_trainer(name: str, compiled: bool = True) -> Trainer:
    x, t, net, _ = setup(name)
    trainer = Trainer(net, make_optimizer("sgd"), x, t, learning_rate=LEARNING_RATE,
                      batch_size=BATCH, rng=np.random.default_rng(7))
    trainer.use_kernels = compiled
    return trainer


class MinimalLoop:
    """Hand-written SGD for a tanh/relu MLP with a sigmoid+BCE output, as fast as we know
    how to write it in NumPy: parameters in one flat vector (one update call), biases
    folded into the weight matrices (inputs carry a trailing column of ones), every
    buffer preallocated and written with out=."""

    def __init__(self, name: str) -> None:
        x, t, net, activation = setup(name)
        self.x, self.t = x, t
        sizes = net.sizes
        self.depth = len(sizes) - 1
        # theta holds, per layer, the (fan_in + 1, fan_out) matrix [W; b]
        self.theta = np.concatenate(
            [np.vstack([w, b[None, :]]).ravel() for w, b in zip(net.weights, net.biases)])
        self.grad = np.empty_like(self.theta)
        self.update = np.empty_like(self.theta)
        self.w, self.g, start = [], [], 0
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            stop = start + (fan_in + 1) * fan_out
            self.w.append(self.theta[start:stop].reshape(fan_in + 1, fan_out))
            self.g.append(self.grad[start:stop].reshape(fan_in + 1, fan_out))
            start = stop
        self.w_t = [w[:-1].T for w in self.w]  # weights without the bias row, transposed
        self.relu = activation == "relu"
        self.rng = np.random.default_rng(7)  # same batch order as the engine
        self.n = x.shape[0]
        self.a = [np.ones((BATCH, s + 1)) for s in sizes]  # values plus a column of ones
        self.z = [np.empty((BATCH, s)) for s in sizes]
        self.dz = [np.empty((BATCH, s)) for s in sizes]

    @property
    def weights(self) -> list[np.ndarray]:
        return [w[:-1] for w in self.w]

    def epoch(self) -> None:
        order = self.rng.permutation(self.n)
        xs, ts = self.x[order], self.t[order]
        w, g, w_t, a, z, dz = self.w, self.g, self.w_t, self.a, self.z, self.dz
        depth, relu = self.depth, self.relu
        for lo in range(0, self.n, BATCH):  # n is a multiple of BATCH in both configs
            a[0][:, :-1] = xs[lo : lo + BATCH]
            for l in range(depth):
                zl, out = z[l + 1], a[l + 1][:, :-1]
                np.dot(a[l], w[l], out=zl)
                if l == depth - 1:  # sigmoid(z) = (1 + tanh(z/2)) / 2
                    np.multiply(zl, 0.5, out=out)
                    np.tanh(out, out=out)
                    out += 1.0
                    out *= 0.5
                elif relu:
                    np.maximum(zl, 0.0, out=out)
                else:
                    np.tanh(zl, out=out)
            d = dz[depth]
            np.subtract(a[depth][:, :-1], ts[lo : lo + BATCH], out=d)  # BCE: dL/dz = p - y
            d *= 1.0 / BATCH
            for l in range(depth, 0, -1):
                np.dot(a[l - 1].T, d, out=g[l - 1])  # weights and bias in one product
                if l > 1:
                    below = dz[l - 1]
                    np.dot(d, w_t[l - 1], out=below)
                    if relu:  # relu' = 1 where a > 0: sign(a), already float
                        below *= np.sign(a[l - 1][:, :-1])
                    else:  # tanh' = 1 - a^2
                        al = a[l - 1][:, :-1]
                        below *= 1.0 - al * al
                    d = below
            np.multiply(self.grad, LEARNING_RATE, out=self.update)
            self.theta -= self.update


def window_rate(run_epoch, seconds: float) -> float:
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        run_epoch()
        count += 1
    return count / elapsed


def interleaved_rates(runs: dict, seconds: float, rounds: int = 15) -> dict[str, float]:
    """Epochs/s of each run (a callable doing one call's epochs), measured in alternating
    short windows so that the machine's drift (a shared VM's neighbours) hits all alike;
    the median of each one's windows."""
    for run in runs.values():
        for _ in range(3):
            run()
    window = seconds / (len(runs) * rounds)
    rates: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            rates[name].append(window_rate(run, window))
    return {name: statistics.median(values) for name, values in rates.items()}


def check_same_math(name: str, compiled: bool, epochs: int = 20) -> float:
    trainer, minimal = engine_trainer(name, compiled), MinimalLoop(name)
    trainer.run_epochs(epochs)
    for _ in range(epochs):
        minimal.epoch()
    return max(float(np.abs(a - b).max()) for a, b in zip(trainer.net.weights, minimal.weights))


def grid_cost(name: str, compiled: bool, resolution: int = 100, repeats: int = 50) -> float:
    """Milliseconds for one forward pass of every node over a resolution^2 grid."""
    _, _, net, _ = setup(name)
    features = CONFIGS[name]["features"]
    ticks = np.linspace(-6, 6, resolution)
    gx, gy = np.meshgrid(ticks, ticks[::-1])
    points = np.column_stack([gx.ravel(), gy.ravel()])
    forward = kernels.forward if compiled else Network.forward
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        forward(net, feature_matrix(points, features))
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="timing per measurement")
    parser.add_argument("--epochs-per-call", type=int, default=1,
                        help="epochs per run_epochs call (the play loop's speed setting)")
    parser.add_argument("--batch-norm", action="store_true",
                        help="batch norm on every hidden layer (no minimal loop then)")
    args = parser.parse_args()
    global BATCH_NORM
    BATCH_NORM = args.batch_norm
    start = time.perf_counter()
    kernels.warm_up().join()
    print(f"compiled engine: {kernels.disabled_reason() or 'on'} "
          f"(ready in {time.perf_counter() - start:.1f} s)")
    per_call = args.epochs_per_call
    for name in CONFIGS:
        if BATCH_NORM:
            batch_norm_rates(name, per_call, args.seconds)
            continue
        diffs = [check_same_math(name, compiled) for compiled in (True, False)]
        compiled, reference = engine_trainer(name), engine_trainer(name, compiled=False)
        minimal = MinimalLoop(name)

        def floor(minimal=minimal) -> None:
            for _ in range(per_call):
                minimal.epoch()

        rates = interleaved_rates({"compiled": lambda t=compiled: t.run_epochs(per_call),
                                   "reference": lambda t=reference: t.run_epochs(per_call),
                                   "floor": floor}, 3 * args.seconds)
        rates = {k: v * per_call for k, v in rates.items()}
        print(f"{name:8s} epochs/s: compiled {rates['compiled']:8.0f}   NumPy reference "
              f"{rates['reference']:7.0f}   NumPy floor {rates['floor']:7.0f}   compiled/floor "
              f"{rates['compiled'] / rates['floor']:5.1f}x   ({per_call} epoch(s) a call; "
              f"max |weight diff| vs floor after 20 epochs: {diffs[0]:.1e} compiled, "
              f"{diffs[1]:.1e} reference)")
        print(f"{'':8s} grid 100x100, every node: compiled {grid_cost(name, True):.2f} ms, "
              f"reference {grid_cost(name, False):.2f} ms")


def batch_norm_rates(name: str, per_call: int, seconds: float) -> None:
    compiled, reference = engine_trainer(name), engine_trainer(name, compiled=False)
    rates = interleaved_rates({"compiled": lambda t=compiled: t.run_epochs(per_call),
                               "reference": lambda t=reference: t.run_epochs(per_call)},
                              2 * seconds)
    rates = {k: v * per_call for k, v in rates.items()}
    print(f"{name:8s} with batch norm, epochs/s: compiled {rates['compiled']:8.0f}   NumPy "
          f"reference {rates['reference']:7.0f}   ({rates['compiled'] / rates['reference']:.1f}x)")
    print(f"{'':8s} grid 100x100, every node: compiled {grid_cost(name, True):.2f} ms, "
          f"reference {grid_cost(name, False):.2f} ms")


if __name__ == "__main__":
    main()
