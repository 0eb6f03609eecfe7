"""Dataset generators (see DATASETS.md) and the shuffle-and-split; a learner's own data
(uploaded or drawn) is read and split in own_data.py.

Every generator has one signature, ``generate(n, s, rng, classes) -> (points, labels)``:
``points`` float64 (n, 2), ``labels`` float64 (n,); ``s`` = noise / 100 in [0, 0.5];
``classes`` is used by the multi-class generators only. Generators are vectorised and draw
only from the ``rng`` they are given (same seed, same points). Labels: binary 0.0 / 1.0,
multi-class 0..K-1 (as float64), regression reals in [-1, 1]. Nothing is clipped to the
square: at high noise the Gaussian ones (gauss, blobs, moons) put some points just outside
[-6, 6]^2 (about 5% for gauss and blobs at noise 50).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

Kind = Literal["binary", "multiclass", "regression"]
LabelledPoints = tuple[np.ndarray, np.ndarray]  # points (n, 2), labels (n,), both float64
Generate = Callable[[int, float, np.random.Generator, int], LabelledPoints]

EXTENT = 6.0  # points live in [-EXTENT, EXTENT]^2
CLASSES_RANGE = (3, 6)  # K for the multi-class generators
DEFAULT_CLASSES = 3
NOISE_RANGE = (0.0, 50.0)  # percent; the generators see s = noise / 100


class DataError(ValueError):
    """Bad data request or upload; the message says what was wrong and what is allowed,
    `code` and `params` the same for a reader in another language."""

    def __init__(self, message: str, code: str = "bad_data", **params: object) -> None:
        super().__init__(message)
        self.code, self.params = code, params


@dataclass(frozen=True)
class DatasetSpec:
    """One row of the dataset registry."""

    id: str
    name: str
    kind: Kind
    generate: Generate


@dataclass
class Data:
    """A shuffled train/test split. ``classes``: 2 (binary), K (multi-class), None (regression)."""

    x_train: np.ndarray  # (n_train, 2) float64
    y_train: np.ndarray  # (n_train,) float64
    x_test: np.ndarray  # (n_test, 2) float64
    y_test: np.ndarray  # (n_test,) float64
    kind: Kind
    classes: int | None
    # own data only: which of the given points each row (train rows, then test rows) is
    source: np.ndarray | None = None

    @property
    def n_train(self) -> int:
        return len(self.x_train)

    @property
    def n_test(self) -> int:
        return len(self.x_test)


# --------------------------------------------------------------------------- helpers


def _group_sizes(n: int, k: int) -> np.ndarray:
    """Sizes of k groups summing to n, as even as possible; group 0 gets n // k points."""
    edges = (np.arange(k + 1) * n) // k
    return np.diff(edges)


def _arms(
    n: int, s: float, rng: np.random.Generator, deltas: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Spiral arms: arm a has m_a points; point i: r = 5 i/m_a, t = 1.75*2pi*i/m_a + delta_a.

    Returns points (n, 2) = (r sin t, r cos t) + U(-1, 1)*s per axis, and each point's arm.
    """
    sizes = _group_sizes(n, len(deltas))
    arm = np.repeat(np.arange(len(deltas)), sizes)
    first = np.cumsum(sizes) - sizes  # index of each arm's point 0
    frac = (np.arange(n) - first[arm]) / sizes[arm]  # i / m, in [0, 1)
    r = 5.0 * frac
    t = 1.75 * 2.0 * np.pi * frac + deltas[arm]
    points = np.column_stack([r * np.sin(t), r * np.cos(t)])
    points += rng.uniform(-1.0, 1.0, (n, 2)) * s
    return points, arm


# ------------------------------------------------------------------------ generators


def circle(n: int, s: float, rng: np.random.Generator, classes: int) -> LabelledPoints:
    """n//2 points at radius U(0, 2.5), the rest at U(3.5, 5); label 1 when the point
    displaced by U(-5, 5)*s per axis lies within radius 2.5."""
    n_inner = n // 2
    r = np.concatenate([rng.uniform(0.0, 2.5, n_inner), rng.uniform(3.5, 5.0, n - n_inner)])
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    points = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    moved = points + rng.uniform(-5.0, 5.0, (n, 2)) * s
    labels = np.hypot(moved[:, 0], moved[:, 1]) < 2.5
    return points, labels.astype(np.float64)


def xor(n: int, s: float, rng: np.random.Generator, classes: int) -> LabelledPoints:
    """x, y ~ U(-5, 5) pushed 0.3 away from 0; label 1 when (x + U(-5,5)s)(y + U(-5,5)s) >= 0."""
    points = rng.uniform(-5.0, 5.0, (n, 2))
    points += np.where(points > 0, 0.3, -0.3)
    moved = points + rng.uniform(-5.0, 5.0, (n, 2)) * s
    labels = moved[:, 0] * moved[:, 1] >= 0
    return points, labels.astype(np.float64)


def gauss(n: int, s: float, rng: np.random.Generator, classes: int) -> LabelledPoints:
    """n//2 points ~ N(2, v) per axis labelled 1, the rest ~ N(-2, v) labelled 0; v = 0.5 + 7 s."""
    variance = 0.5 + 7.0 * s
    labels = np.repeat([1.0, 0.0], _group_sizes(n, 2))
    centre = np.where(labels == 1.0, 2.0, -2.0)
    points = centre[:, None] + np.sqrt(variance) * rng.standard_normal((n, 2))
    return points, labels


def spiral(n: int, s: float, rng: np.random.Generator, classes: int) -> LabelledPoints:
    """Two arms (delta 0 labelled 1 with n//2 points, delta pi labelled 0 with the rest)."""
    points, arm = _arms(n, s, rng, np.array([0.0, np.pi]))
    return points, (arm == 0).astype(np.float64)


def moons(n: int, s: float, rng: np.random.Generator, classes: int) -> LabelledPoints:
    """Two interleaving half circles (scikit-learn's make_moons shape), scaled to span
    [-5, 5] x [-3, 3], each point jittered by N(0, (1.5 s)^2) per axis.

    Outer arc (cos t, sin t), label 0, n//2 points; inner arc (1 - cos t, 1/2 - sin t),
    label 1, the rest; t evenly spaced over [0, pi]. Then (x, y) -> ((x - 1/2)*10/3, (y - 1/4)*4).
    """
    n_outer, n_inner = _group_sizes(n, 2)
    t_outer = np.linspace(0.0, np.pi, n_outer)
    t_inner = np.linspace(0.0, np.pi, n_inner)
    unit = np.concatenate(
        [
            np.column_stack([np.cos(t_outer), np.sin(t_outer)]),
            np.column_stack([1.0 - np.cos(t_inner), 0.5 - np.sin(t_inner)]),
        ]
    )
    points = (unit - [0.5, 0.25]) * [10.0 / 3.0, 4.0]
    points += 1.5 * s * rng.standard_normal((n, 2))
    return points, np.repeat([0.0, 1.0], [n_outer, n_inner])


def blobs(n: int, s: float, rng: np.random.Generator, classes: int) -> LabelledPoints:
    """K Gaussian blobs, centre k at 3.5 (cos 2pi k/K, sin 2pi k/K), per-axis variance
    0.4 + 5.2 s; class sizes differ by at most one."""
    labels = np.repeat(np.arange(classes), _group_sizes(n, classes))
    angle = 2.0 * np.pi * np.arange(classes) / classes
    centres = 3.5 * np.column_stack([np.cos(angle), np.sin(angle)])
    variance = 0.4 + 5.2 * s
    points = centres[labels] + np.sqrt(variance) * rng.standard_normal((n, 2))
    return points, labels.astype(np.float64)


def spiral_k(n: int, s: float, rng: np.random.Generator, classes: int) -> LabelledPoints:
    """K spiral arms, arm k rotated by 2pi k/K and labelled k; otherwise as ``spiral``."""
    points, arm = _arms(n, s, rng, 2.0 * np.pi * np.arange(classes) / classes)
    return points, arm.astype(np.float64)


def plane(n: int, s: float, rng: np.random.Generator, classes: int) -> LabelledPoints:
    """x, y ~ U(-6, 6); label clip((x' + y') / 10, -1, 1) with x' = x + U(-6, 6)*s (same for y)."""
    points = rng.uniform(-EXTENT, EXTENT, (n, 2))
    moved = points + rng.uniform(-EXTENT, EXTENT, (n, 2)) * s
    return points, np.clip(moved.sum(axis=1) / 10.0, -1.0, 1.0)


MULTI_GAUSS_CENTRES = np.array(
    [[-4.0, 2.5], [0.0, 2.5], [4.0, 2.5], [-4.0, -2.5], [0.0, -2.5], [4.0, -2.5]]
)
MULTI_GAUSS_SIGNS = np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0])


def multi_gauss(n: int, s: float, rng: np.random.Generator, classes: int) -> LabelledPoints:
    """x, y ~ U(-6, 6), displaced as in ``plane``; centre c gives sign_c * clip(1 - d_c/2, 0, 1)
    and the label is the value of largest |.| (the first centre on ties, as in TF Playground)."""
    points = rng.uniform(-EXTENT, EXTENT, (n, 2))
    moved = points + rng.uniform(-EXTENT, EXTENT, (n, 2)) * s
    d = np.linalg.norm(moved[:, None, :] - MULTI_GAUSS_CENTRES[None, :, :], axis=2)  # (n, 6)
    values = MULTI_GAUSS_SIGNS * np.clip(1.0 - d / 2.0, 0.0, 1.0)
    best = np.argmax(np.abs(values), axis=1)
    return points, values[np.arange(n), best] + 0.0  # + 0.0 turns -0.0 into 0.0


DATASETS: dict[str, DatasetSpec] = {
    spec.id: spec
    for spec in (
        DatasetSpec("circle", "Circle", "binary", circle),
        DatasetSpec("xor", "Exclusive or", "binary", xor),
        DatasetSpec("gauss", "Gaussian", "binary", gauss),
        DatasetSpec("spiral", "Spiral", "binary", spiral),
        DatasetSpec("moons", "Moons", "binary", moons),
        DatasetSpec("blobs", "Blobs", "multiclass", blobs),
        DatasetSpec("spiral_k", "K-arm spiral", "multiclass", spiral_k),
        DatasetSpec("plane", "Plane", "regression", plane),
        DatasetSpec("multi_gauss", "Multi Gaussian", "regression", multi_gauss),
    )
}


# ------------------------------------------------------------------- split and make


def get_dataset(dataset: str) -> DatasetSpec:
    """The registry row for ``dataset``; an unknown id raises DataError naming the known ids."""
    try:
        return DATASETS[dataset]
    except (KeyError, TypeError):
        raise DataError(
            f"unknown dataset {dataset!r}; known datasets: {', '.join(DATASETS)}"
        ) from None


def _is_int(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def train_size(n: int, train_ratio: float) -> int:
    """Python's round(n * train_ratio / 100) (halves to even), clamped so that train has at
    least 1 point and, when n >= 2, test has at least 1."""
    n_train = round(n * train_ratio / 100)
    return max(1, min(n_train, n - 1)) if n >= 2 else n


def split_data(
    x: np.ndarray,
    y: np.ndarray,
    kind: Kind,
    classes: int | None,
    train_ratio: float,
    rng: np.random.Generator,
) -> Data:
    """Shuffle (x (n, 2), y (n,)) with one ``rng.permutation(n)``; the first
    ``train_size(n, train_ratio)`` rows train, the rest test."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2 or y.shape != (len(x),):
        raise DataError(f"expected points (n, 2) and labels (n,); got {x.shape} and {y.shape}")
    if len(x) == 0:
        raise DataError("no points to split; at least 1 is required")
    perm = rng.permutation(len(x))
    x, y = x[perm], y[perm]
    k = train_size(len(x), train_ratio)
    return Data(x[:k], y[:k], x[k:], y[k:], kind, classes)


def make_data(
    dataset: str,
    num_samples: int,
    noise: float,
    train_ratio: float,
    data_seed: int,
    classes: int = DEFAULT_CLASSES,
    rng: np.random.Generator | None = None,
) -> Data:
    """Generate ``num_samples`` points of ``dataset`` at ``noise`` percent (0..50), shuffle
    and split them with ``rng`` (default ``np.random.default_rng(data_seed)``)."""
    spec = get_dataset(dataset)
    if not _is_int(num_samples) or num_samples < 1:
        raise DataError(f"num_samples = {num_samples!r}; it must be an integer >= 1")
    if not NOISE_RANGE[0] <= noise <= NOISE_RANGE[1]:
        lo, hi = NOISE_RANGE
        raise DataError(f"noise = {noise!r} is outside [{lo:g}, {hi:g}] (percent)")
    if not 0 <= train_ratio <= 100:
        raise DataError(f"train_ratio = {train_ratio!r} is outside [0, 100] (percent)")
    if spec.kind == "multiclass":
        k_lo, k_hi = CLASSES_RANGE
        if not _is_int(classes) or not k_lo <= classes <= k_hi:
            raise DataError(
                f"classes = {classes!r} for {dataset!r}; it must be an integer in [{k_lo}, {k_hi}]"
            )
        k: int | None = int(classes)
    else:
        k = 2 if spec.kind == "binary" else None
    if rng is None:
        rng = np.random.default_rng(data_seed)
    n = int(num_samples)
    x, y = spec.generate(n, noise / 100.0, rng, k if k is not None else 2)
    return split_data(x, y, spec.kind, k, train_ratio, rng)
