"""Dataset generators, the train/test split and CSV upload (DATASETS.md, API.md section 2)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.engine import datasets as ds
from playground.engine.datasets import DATASETS, Data, DataError, make_data

IDS = list(DATASETS)
BINARY = [i for i, spec in DATASETS.items() if spec.kind == "binary"]
MULTICLASS = [i for i, spec in DATASETS.items() if spec.kind == "multiclass"]
REGRESSION = [i for i, spec in DATASETS.items() if spec.kind == "regression"]
CLASS_COUNTS = [3, 4, 5, 6]
TAU = 2.0 * np.pi


def joined(data: Data) -> tuple[np.ndarray, np.ndarray]:
    """All points and labels of a split, train first."""
    return np.vstack([data.x_train, data.x_test]), np.concatenate([data.y_train, data.y_test])


def generate(dataset: str, n: int = 400, noise: float = 0.0, seed: int = 0, classes: int = 3):
    """Call a generator directly (before the shuffle): points in generation order."""
    return DATASETS[dataset].generate(n, noise / 100.0, np.random.default_rng(seed), classes)


def check_labels(dataset: str, y: np.ndarray, classes: int) -> None:
    kind = DATASETS[dataset].kind
    assert y.dtype == np.float64
    assert np.all(np.isfinite(y))
    if kind == "binary":
        assert set(np.unique(y)) <= {0.0, 1.0}
    elif kind == "multiclass":
        assert set(np.unique(y)) <= set(map(float, range(classes)))
    else:
        assert y.min() >= -1.0 and y.max() <= 1.0


# ----------------------------------------------------------------------------- registry


def test_registry_ids_order_and_kinds():
    assert IDS == [
        "circle", "xor", "gauss", "spiral", "moons", "blobs", "spiral_k", "plane", "multi_gauss"
    ]
    assert BINARY == ["circle", "xor", "gauss", "spiral", "moons"]
    assert MULTICLASS == ["blobs", "spiral_k"]
    assert REGRESSION == ["plane", "multi_gauss"]


@pytest.mark.parametrize("dataset", IDS)
def test_registry_rows(dataset):
    spec = DATASETS[dataset]
    assert spec.id == dataset
    assert isinstance(spec.name, str) and spec.name.strip()
    assert callable(spec.generate)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.name = "changed"  # type: ignore[misc]


def test_constants():
    assert ds.EXTENT == 6.0
    assert ds.CLASSES_RANGE == (3, 6)
    assert ds.DEFAULT_CLASSES == 3
    assert issubclass(DataError, ValueError)


def test_display_names_are_distinct():
    names = [spec.name for spec in DATASETS.values()]
    assert len(set(names)) == len(names)


# ------------------------------------------------------------------ counts and the split


@pytest.mark.parametrize(
    ("n", "ratio", "n_train"),
    [
        (500, 50, 250),
        (500, 10, 50),
        (500, 90, 450),
        (101, 50, 50),  # round(50.5) = 50 (Python rounds halves to even)
        (101, 90, 91),  # round(90.9)
        (7, 33, 2),  # round(2.31)
        (7, 90, 6),  # round(6.3)
        (5, 50, 2),  # round(2.5) = 2
        (3, 10, 1),  # round(0.3) = 0, clamped up: train has at least 1 point
        (2, 90, 1),  # round(1.8) = 2, clamped down: test has at least 1 point
        (1, 50, 1),  # a single point trains; the test set is empty
        (10, 100, 9),
        (10, 0, 1),
    ],
)
@pytest.mark.parametrize("dataset", ["circle", "blobs", "plane"])
def test_split_sizes(dataset, n, ratio, n_train):
    data = make_data(dataset, n, 10, ratio, data_seed=3)
    assert data.n_train == n_train == len(data.y_train) == ds.train_size(n, ratio)
    assert data.n_test == n - n_train == len(data.y_test)


@pytest.mark.parametrize("noise", [0, 50])
@pytest.mark.parametrize("n", [1, 2, 7, 101, 500])
@pytest.mark.parametrize("dataset", IDS)
def test_shapes_dtypes_and_label_set(dataset, n, noise):
    data = make_data(dataset, n, noise, 70, data_seed=11)
    assert data.x_train.shape == (data.n_train, 2) and data.x_test.shape == (data.n_test, 2)
    assert data.y_train.shape == (data.n_train,) and data.y_test.shape == (data.n_test,)
    assert data.n_train + data.n_test == n
    for array in (data.x_train, data.y_train, data.x_test, data.y_test):
        assert array.dtype == np.float64
        assert array.flags.c_contiguous
    x, y = joined(data)
    assert np.all(np.isfinite(x))
    check_labels(dataset, y, ds.DEFAULT_CLASSES)
    assert data.kind == DATASETS[dataset].kind


@pytest.mark.parametrize("n", [1, 2, 3, 9, 250])
@pytest.mark.parametrize("dataset", IDS)
def test_generator_returns_exactly_n(dataset, n):
    points, labels = generate(dataset, n=n, noise=20, classes=4)
    assert points.shape == (n, 2) and labels.shape == (n,)
    assert points.dtype == np.float64 and labels.dtype == np.float64


@pytest.mark.parametrize("dataset", IDS)
def test_classes_reported(dataset):
    data = make_data(dataset, 60, 0, 50, data_seed=0, classes=5)
    expected = {"binary": 2, "multiclass": 5, "regression": None}[DATASETS[dataset].kind]
    assert data.classes == expected


@pytest.mark.parametrize("dataset", BINARY)
def test_binary_both_classes_present_and_balanced(dataset):
    _, y = joined(make_data(dataset, 500, 0, 50, data_seed=2))
    if dataset == "xor":  # labels follow the quadrant, not a fixed count
        assert 200 < y.sum() < 300
    else:  # n//2 points per class (circle: the inner half is labelled 1 at noise 0)
        assert y.sum() == 250


def test_split_is_a_permutation_of_the_generated_points():
    rng = np.random.default_rng(9)
    points, labels = DATASETS["plane"].generate(50, 0.1, rng, 3)
    state = np.random.default_rng(9)
    DATASETS["plane"].generate(50, 0.1, state, 3)  # the same draws, then the permutation
    perm = state.permutation(50)
    data = ds.split_data(points, labels, "regression", None, 60, rng)
    x, y = joined(data)
    np.testing.assert_array_equal(x, points[perm])
    np.testing.assert_array_equal(y, labels[perm])
    assert data.n_train == 30


def test_make_data_is_generate_then_split_with_one_rng():
    rng = np.random.default_rng(21)
    points, labels = DATASETS["xor"].generate(40, 0.25, rng, 3)
    expected = ds.split_data(points, labels, "binary", 2, 50, rng)
    data = make_data("xor", 40, 25, 50, data_seed=21)
    np.testing.assert_array_equal(data.x_train, expected.x_train)
    np.testing.assert_array_equal(data.y_test, expected.y_test)


def test_rng_argument_replaces_the_seed():
    a = make_data("spiral", 80, 30, 50, data_seed=4)
    b = make_data("spiral", 80, 30, 50, data_seed=999, rng=np.random.default_rng(4))
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)


def test_split_data_refuses_bad_shapes():
    rng = np.random.default_rng(0)
    with pytest.raises(DataError):
        ds.split_data(np.zeros((4, 3)), np.zeros(4), "regression", None, 50, rng)
    with pytest.raises(DataError):
        ds.split_data(np.zeros((4, 2)), np.zeros(5), "regression", None, 50, rng)
    with pytest.raises(DataError):
        ds.split_data(np.zeros((0, 2)), np.zeros(0), "regression", None, 50, rng)


# ----------------------------------------------------------------------- determinism


@pytest.mark.parametrize("dataset", IDS)
def test_same_seed_same_data_different_seed_different_data(dataset):
    a = make_data(dataset, 200, 20, 50, data_seed=7, classes=4)
    b = make_data(dataset, 200, 20, 50, data_seed=7, classes=4)
    c = make_data(dataset, 200, 20, 50, data_seed=8, classes=4)
    for field in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.x_train, c.x_train)


def test_generators_use_only_the_given_rng():
    np.random.seed(0)
    a = make_data("gauss", 100, 30, 50, data_seed=1)
    np.random.seed(12345)
    b = make_data("gauss", 100, 30, 50, data_seed=1)
    np.testing.assert_array_equal(a.x_train, b.x_train)


# ------------------------------------------------------------------------- the square


@pytest.mark.parametrize("classes", CLASS_COUNTS)
@pytest.mark.parametrize("dataset", IDS)
def test_noise_zero_points_lie_in_the_square(dataset, classes):
    x, _ = joined(make_data(dataset, 500, 0, 50, data_seed=0, classes=classes))
    assert np.all(np.abs(x) <= ds.EXTENT)


# Share of points inside [-6, 6]^2 at noise 50. Nothing is clipped, so the Gaussian ones
# spill over by design: gauss N(+-2, 4) leaves ~4.5% outside (2 sd to the edge, two axes),
# blobs N(centre at radius 3.5, 3) ~6%, moons' N(0, 0.75^2) jitter at x = +-5 ~1.2%.
MIN_INSIDE_AT_NOISE_50 = {"gauss": 0.93, "blobs": 0.90, "moons": 0.97}


@pytest.mark.parametrize("dataset", IDS)
def test_noise_fifty_points_stay_near_the_square(dataset):
    x, _ = joined(make_data(dataset, 2000, 50, 50, data_seed=0))
    inside = np.mean(np.all(np.abs(x) <= ds.EXTENT, axis=1))
    assert inside >= MIN_INSIDE_AT_NOISE_50.get(dataset, 1.0)
    assert np.mean(np.all(np.abs(x) <= 2 * ds.EXTENT, axis=1)) == 1.0  # near, never far


# --------------------------------------------------------------- the generators' shapes


def test_circle_radii_and_clean_labels():
    points, y = generate("circle", n=401)
    r = np.hypot(points[:, 0], points[:, 1])
    inner, outer = r[:200], r[200:]  # n//2 inner, the rest outer
    assert inner.max() < 2.5 and outer.min() >= 3.5 and outer.max() <= 5.0
    np.testing.assert_array_equal(y, (r < 2.5).astype(float))
    assert y.sum() == 200


@pytest.mark.parametrize("noise", [10, 30, 50])
def test_circle_noisy_labels_follow_the_displaced_point(noise):
    """Replays the generator's draws: inner radii, outer radii, angles, then the label shift."""
    n, s = 301, noise / 100
    points, y = generate("circle", n=n, noise=noise, seed=8)
    rng = np.random.default_rng(8)
    r = np.concatenate([rng.uniform(0, 2.5, n // 2), rng.uniform(3.5, 5, n - n // 2)])
    angle = rng.uniform(0, TAU, n)
    np.testing.assert_allclose(points, np.column_stack([r * np.sin(angle), r * np.cos(angle)]))
    moved = points + rng.uniform(-5, 5, (n, 2)) * s
    np.testing.assert_array_equal(y, (np.hypot(moved[:, 0], moved[:, 1]) < 2.5).astype(float))


@pytest.mark.parametrize("noise", [10, 50])
def test_xor_noisy_labels_follow_the_displaced_point(noise):
    n, s = 300, noise / 100
    points, y = generate("xor", n=n, noise=noise, seed=8)
    rng = np.random.default_rng(8)
    raw = rng.uniform(-5, 5, (n, 2))
    np.testing.assert_allclose(points, raw + np.where(raw > 0, 0.3, -0.3))
    moved = points + rng.uniform(-5, 5, (n, 2)) * s
    np.testing.assert_array_equal(y, (moved[:, 0] * moved[:, 1] >= 0).astype(float))


def test_xor_padding_and_clean_labels():
    x, y = joined(make_data("xor", 600, 0, 50, data_seed=5))
    assert np.all(np.abs(x) >= 0.3) and np.all(np.abs(x) <= 5.3)
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] >= 0).astype(float))


@pytest.mark.parametrize(("noise", "variance"), [(0, 0.5), (25, 2.25), (50, 4.0)])
def test_gauss_centres_and_variance(noise, variance):
    points, y = generate("gauss", n=8001, noise=noise, seed=3)
    assert y.sum() == 4000  # n//2 positives
    for label, centre in ((1.0, 2.0), (0.0, -2.0)):
        group = points[y == label]
        np.testing.assert_allclose(group.mean(axis=0), [centre, centre], atol=0.12)
        np.testing.assert_allclose(group.var(axis=0), [variance, variance], rtol=0.08)


def test_gauss_clean_labels_by_side():
    x, y = joined(make_data("gauss", 500, 0, 50, data_seed=0))
    np.testing.assert_array_equal(y, (x.sum(axis=1) > 0).astype(float))


def on_arm(points: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """Distance of each point from where its own radius puts it on the arm rotated by delta."""
    r = np.hypot(points[:, 0], points[:, 1])
    t = 1.75 * TAU * r / 5.0 + delta
    return np.hypot(points[:, 0] - r * np.sin(t), points[:, 1] - r * np.cos(t))


@pytest.mark.parametrize("n", [500, 501])
def test_spiral_points_lie_on_their_arm(n):
    x, y = joined(make_data("spiral", n, 0, 50, data_seed=1))
    delta = np.where(y == 1.0, 0.0, np.pi)  # label 1 for delta 0
    assert on_arm(x, delta).max() < 1e-9
    assert y.sum() == n // 2


def test_spiral_arm_radii_are_evenly_spaced():
    points, y = generate("spiral", n=11)
    for label, m in ((1.0, 5), (0.0, 6)):  # arm of label 1 first with n//2 points
        r = np.hypot(*points[y == label].T)
        np.testing.assert_allclose(np.sort(r), 5.0 * np.arange(m) / m, atol=1e-12)


@pytest.mark.parametrize("classes", CLASS_COUNTS)
def test_spiral_k_points_lie_on_their_rotated_arm(classes):
    x, y = joined(make_data("spiral_k", 300, 0, 50, data_seed=1, classes=classes))
    assert on_arm(x, TAU * y / classes).max() < 1e-9


@pytest.mark.parametrize("dataset", ["spiral", "spiral_k"])
def test_spiral_noise_is_uniform_within_s(dataset):
    clean, _ = generate(dataset, n=400, noise=0, seed=2)
    noisy, _ = generate(dataset, n=400, noise=40, seed=2)
    shift = noisy - clean
    assert np.abs(shift).max() <= 0.4
    assert np.abs(shift).max() > 0.35  # uniform over [-0.4, 0.4]: the edges get reached


def test_moons_shape_and_span():
    points, y = generate("moons", n=301)
    assert y.sum() == 151  # outer arc (label 0) n//2, inner arc (label 1) the rest
    np.testing.assert_allclose(points.min(axis=0), [-5.0, -3.0], atol=1e-12)
    assert points[:, 0].max() == pytest.approx(5.0, abs=1e-12)
    assert 2.999 < points[:, 1].max() <= 3.0  # t = pi/2 (y = 3) is only approached for even m
    u = points[:, 0] * 3.0 / 10.0 + 0.5  # back to make_moons' units
    v = points[:, 1] / 4.0 + 0.25
    outer, inner = y == 0.0, y == 1.0
    np.testing.assert_allclose(u[outer] ** 2 + v[outer] ** 2, 1.0, atol=1e-12)
    np.testing.assert_allclose((u[inner] - 1.0) ** 2 + (v[inner] - 0.5) ** 2, 1.0, atol=1e-12)
    assert v[outer].min() >= -1e-12 and v[inner].max() <= 0.5 + 1e-12


def test_moons_jitter_standard_deviation():
    clean, _ = generate("moons", n=6000, noise=0, seed=4)
    noisy, _ = generate("moons", n=6000, noise=40, seed=4)
    np.testing.assert_allclose((noisy - clean).std(axis=0), [0.6, 0.6], rtol=0.05)


@pytest.mark.parametrize(("noise", "variance"), [(0, 0.4), (50, 3.0)])
@pytest.mark.parametrize("classes", CLASS_COUNTS)
def test_blobs_centres_on_the_circle_and_variance(classes, noise, variance):
    points, y = generate("blobs", n=3000 * classes, noise=noise, seed=6, classes=classes)
    angle = TAU * np.arange(classes) / classes
    centres = 3.5 * np.column_stack([np.cos(angle), np.sin(angle)])
    for k in range(classes):
        group = points[y == k]
        np.testing.assert_allclose(group.mean(axis=0), centres[k], atol=0.15)
        np.testing.assert_allclose(group.var(axis=0), [variance, variance], rtol=0.1)


@pytest.mark.parametrize(
    ("dataset", "spread"),
    [
        ("gauss", lambda s: np.sqrt(0.5 + 7.0 * s)),  # sd of N(+-2, v), v from 0.5 to 4
        ("blobs", lambda s: np.sqrt(0.4 + 5.2 * s)),  # sd per axis, v from 0.4 to 3
        ("moons", lambda s: 1.5 * s),  # jitter sd
    ],
)
@pytest.mark.parametrize("noise", [0, 10, 35, 50])
def test_gaussian_spread_follows_the_formula(dataset, spread, noise):
    """Same seed, same normal draws: the offset from the noise-free shape scales exactly
    with the standard deviation given in DATASETS.md (compared with noise 20)."""

    def offsets(noise: float) -> np.ndarray:
        points, y = generate(dataset, n=90, noise=noise, seed=12, classes=4)
        if dataset == "gauss":
            clean = np.where(y == 1.0, 2.0, -2.0)[:, None]
        elif dataset == "blobs":
            clean = 3.5 * np.column_stack([np.cos(TAU * y / 4), np.sin(TAU * y / 4)])
        else:
            clean, _ = generate(dataset, n=90, noise=0, seed=12)
        return points - clean

    expected = offsets(20) * spread(noise / 100) / spread(0.2)
    np.testing.assert_allclose(offsets(noise), expected, rtol=1e-10, atol=1e-12)


def test_plane_clean_labels():
    x, y = joined(make_data("plane", 500, 0, 50, data_seed=2))
    np.testing.assert_allclose(y, np.clip((x[:, 0] + x[:, 1]) / 10.0, -1, 1), atol=1e-15)
    assert np.all(np.abs(x) <= 6.0)


def multi_gauss_label(p: np.ndarray) -> float:
    """TF Playground's rule, one point at a time, from the six centres in DATASETS.md."""
    centres = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    label = 0.0
    for cx, cy, sign in centres:
        d = float(np.hypot(p[0] - cx, p[1] - cy))
        value = sign * min(max(1.0 - d / 2.0, 0.0), 1.0)
        if abs(value) > abs(label):
            label = value
    return label


def test_multi_gauss_clean_labels():
    x, y = joined(make_data("multi_gauss", 400, 0, 50, data_seed=3))
    expected = np.array([multi_gauss_label(p) for p in x])
    np.testing.assert_allclose(y, expected, atol=1e-15)
    assert (y > 0.5).any() and (y < -0.5).any() and (y == 0).any()


@pytest.mark.parametrize("noise", [10, 50])
@pytest.mark.parametrize("dataset", REGRESSION)
def test_regression_noisy_labels_follow_the_displaced_point(dataset, noise):
    """Replays the draws: points U(-6, 6), then the label's shift U(-6, 6)*s per axis."""
    n, s = 200, noise / 100
    points, y = generate(dataset, n=n, noise=noise, seed=4)
    rng = np.random.default_rng(4)
    np.testing.assert_array_equal(points, rng.uniform(-6, 6, (n, 2)))
    moved = points + rng.uniform(-6, 6, (n, 2)) * s
    if dataset == "plane":
        expected = np.clip(moved.sum(axis=1) / 10, -1, 1)
    else:
        expected = np.array([multi_gauss_label(p) for p in moved])
    np.testing.assert_allclose(y, expected, atol=1e-15)


# -------------------------------------------------------------------- noise on labels


@pytest.mark.parametrize(
    ("dataset", "rule"),
    [
        ("circle", lambda x: np.hypot(x[:, 0], x[:, 1]) < 2.5),
        ("xor", lambda x: x[:, 0] * x[:, 1] >= 0),
    ],
)
def test_noise_flips_some_labels_but_not_most(dataset, rule):
    x, y = joined(make_data(dataset, 1000, 50, 50, data_seed=0))
    flipped = np.mean(y != rule(x))
    assert 0.02 < flipped < 0.4


def test_noise_moves_the_label_not_the_point():
    clean_x, _ = joined(make_data("circle", 300, 0, 50, data_seed=5))
    noisy_x, _ = joined(make_data("circle", 300, 50, 50, data_seed=5))
    np.testing.assert_array_equal(clean_x, noisy_x)  # same draws, only the label's point moves


@pytest.mark.parametrize("dataset", REGRESSION)
def test_regression_noise_changes_labels_within_range(dataset):
    _, clean = joined(make_data(dataset, 500, 0, 50, data_seed=1))
    _, noisy = joined(make_data(dataset, 500, 50, 50, data_seed=1))
    assert not np.allclose(clean, noisy)
    assert noisy.min() >= -1.0 and noisy.max() <= 1.0


# ---------------------------------------------------------------------- multi-class K


@pytest.mark.parametrize("n", [7, 500, 601])
@pytest.mark.parametrize("classes", CLASS_COUNTS)
@pytest.mark.parametrize("dataset", MULTICLASS)
def test_multiclass_classes_are_balanced(dataset, classes, n):
    data = make_data(dataset, n, 20, 50, data_seed=0, classes=classes)
    assert data.classes == classes
    _, y = joined(data)
    counts = np.bincount(y.astype(int), minlength=classes)
    assert len(counts) == classes
    assert counts.sum() == n
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("classes", [0, 1, 2, 7, 3.5, True])
@pytest.mark.parametrize("dataset", MULTICLASS)
def test_multiclass_refuses_classes_out_of_range(dataset, classes):
    with pytest.raises(DataError, match=r"\[3, 6\]"):
        make_data(dataset, 100, 0, 50, data_seed=0, classes=classes)


@pytest.mark.parametrize("dataset", BINARY + REGRESSION)
def test_other_datasets_ignore_classes(dataset):
    a = make_data(dataset, 50, 10, 50, data_seed=0, classes=99)
    b = make_data(dataset, 50, 10, 50, data_seed=0)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_train, b.y_train)


# ------------------------------------------------------------------ make_data refusals


def test_unknown_dataset_names_the_known_ids():
    with pytest.raises(DataError) as info:
        make_data("donut", 100, 0, 50, data_seed=0)
    assert "donut" in str(info.value)
    for dataset in IDS:
        assert dataset in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"num_samples": 0}, "num_samples"),
        ({"num_samples": 10.5}, "num_samples"),
        ({"noise": -1}, "noise"),
        ({"noise": 51}, "noise"),
        ({"noise": float("nan")}, "noise"),
        ({"train_ratio": 101}, "train_ratio"),
        ({"train_ratio": -5}, "train_ratio"),
    ],
)
def test_make_data_refuses_bad_arguments(kwargs, fragment):
    args = {"dataset": "circle", "num_samples": 100, "noise": 0, "train_ratio": 50, "data_seed": 0}
    args.update(kwargs)
    with pytest.raises(DataError, match=fragment):
        make_data(**args)


# ---------------------------------------------------------------------------- properties


@settings(max_examples=80, deadline=None)
@given(
    dataset=st.sampled_from(IDS),
    n=st.integers(1, 300),
    noise=st.floats(0, 50),
    ratio=st.floats(10, 90),
    seed=st.integers(0, 2**32 - 1),
    classes=st.integers(3, 6),
)
def test_any_config_gives_a_valid_split(dataset, n, noise, ratio, seed, classes):
    data = make_data(dataset, n, noise, ratio, seed, classes=classes)
    assert data.n_train + data.n_test == n
    assert data.n_train >= 1 and (n < 2 or data.n_test >= 1)
    assert abs(data.n_train - n * ratio / 100) <= 1
    assert data.x_train.shape == (data.n_train, 2) and data.y_test.shape == (data.n_test,)
    x, y = joined(data)
    assert np.all(np.isfinite(x))
    check_labels(dataset, y, classes)
    if DATASETS[dataset].kind == "multiclass":
        counts = np.bincount(y.astype(int), minlength=classes)
        assert counts.max() - counts.min() <= 1


BOUNDED = ["circle", "xor", "spiral", "spiral_k", "plane", "multi_gauss"]


@settings(max_examples=60, deadline=None)
@given(
    dataset=st.sampled_from(BOUNDED),
    noise=st.floats(0, 50),
    seed=st.integers(0, 2**32 - 1),
    classes=st.integers(3, 6),
)
def test_bounded_generators_never_leave_the_square(dataset, noise, seed, classes):
    points, _ = DATASETS[dataset].generate(200, noise / 100, np.random.default_rng(seed), classes)
    assert np.all(np.abs(points) <= ds.EXTENT)
