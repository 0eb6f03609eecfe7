"""Input features: the registry and the feature matrix."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from playground.engine.features import DEFAULT_FEATURES, FEATURES, feature_matrix

IDS = list(FEATURES)

# Known points and each feature's value there, worked out by hand.
POINTS = np.array([[0.0, 0.0], [1.0, 2.0], [-3.0, 0.5], [np.pi / 2, -np.pi / 2], [-6.0, 6.0]])
EXPECTED = {
    "x1": [0.0, 1.0, -3.0, np.pi / 2, -6.0],
    "x2": [0.0, 2.0, 0.5, -np.pi / 2, 6.0],
    "x1_sq": [0.0, 1.0, 9.0, np.pi**2 / 4, 36.0],
    "x2_sq": [0.0, 4.0, 0.25, np.pi**2 / 4, 36.0],
    "x1x2": [0.0, 2.0, -1.5, -np.pi**2 / 4, -36.0],
    "sin_x1": [0.0, 0.8414709848078965, -0.1411200080598672, 1.0, 0.27941549819892586],
    "sin_x2": [0.0, 0.9092974268256817, 0.479425538604203, -1.0, -0.27941549819892586],
}


def test_registry_ids_in_order():
    assert IDS == ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
    assert DEFAULT_FEATURES == ("x1", "x2")


def test_display_names_and_formulas():
    assert [f.name for f in FEATURES.values()] == [
        "X₁", "X₂", "X₁²", "X₂²", "X₁X₂", "sin(X₁)", "sin(X₂)"
    ]
    assert [f.formula for f in FEATURES.values()] == [
        "x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"
    ]


@pytest.mark.parametrize("fid", IDS)
def test_row_is_frozen_and_keyed_by_its_id(fid):
    feature = FEATURES[fid]
    assert feature.id == fid
    with pytest.raises(dataclasses.FrozenInstanceError):
        feature.formula = "x"  # type: ignore[misc]


@pytest.mark.parametrize("fid", IDS)
def test_each_column_equals_its_formula_on_known_points(fid):
    column = feature_matrix(POINTS, [fid])
    assert column.shape == (len(POINTS), 1)
    np.testing.assert_allclose(column[:, 0], EXPECTED[fid], rtol=1e-14, atol=1e-15)


def test_all_features_in_registry_order():
    matrix = feature_matrix(POINTS, IDS)
    assert matrix.shape == (len(POINTS), len(IDS))
    assert matrix.dtype == np.float64 and matrix.flags.c_contiguous
    np.testing.assert_allclose(matrix, np.column_stack([EXPECTED[f] for f in IDS]), atol=1e-15)


def test_columns_follow_the_given_order():
    order = ["sin_x2", "x1", "x1x2", "x2_sq"]
    matrix = feature_matrix(POINTS, order)
    np.testing.assert_allclose(matrix, np.column_stack([EXPECTED[f] for f in order]), atol=1e-15)
    twice = feature_matrix(POINTS, ["x2", "x2"])  # repeats are allowed, each gets a column
    np.testing.assert_array_equal(twice[:, 0], twice[:, 1])


def test_default_features_are_the_raw_coordinates():
    np.testing.assert_array_equal(feature_matrix(POINTS, DEFAULT_FEATURES), POINTS)


def test_result_is_a_fresh_float64_array():
    ints = np.array([[1, 2], [3, -4]])
    matrix = feature_matrix(ints, ["x1", "x2"])
    assert matrix.dtype == np.float64 and matrix.flags.c_contiguous
    matrix[0, 0] = 99.0
    assert ints[0, 0] == 1  # the input is never aliased
    fortran = np.asfortranarray(POINTS)
    assert feature_matrix(fortran, ["x1x2", "x1"]).flags.c_contiguous


def test_empty_inputs():
    assert feature_matrix(np.zeros((0, 2)), IDS).shape == (0, len(IDS))
    assert feature_matrix(POINTS, []).shape == (len(POINTS), 0)


def test_unknown_feature_is_refused_naming_the_known_ids():
    with pytest.raises(ValueError) as info:
        feature_matrix(POINTS, ["x1", "cos_x1"])
    message = str(info.value)
    assert "cos_x1" in message
    for fid in IDS:
        assert fid in message


def test_a_bare_string_is_refused():
    with pytest.raises(TypeError):
        feature_matrix(POINTS, "x1")


@pytest.mark.parametrize("shape", [(5,), (5, 3), (5, 1), (2, 2, 2)])
def test_points_must_be_n_by_2(shape):
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        feature_matrix(np.zeros(shape), ["x1"])


def evaluate_formula(formula: str, x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """Read a registry formula string as arithmetic (x^2 means x**2)."""
    expression = formula.replace("^", "**")
    return eval(expression, {"__builtins__": {}}, {"x1": x1, "x2": x2, "sin": np.sin})


@settings(max_examples=60, deadline=None)
@given(
    points=arrays(np.float64, st.tuples(st.integers(0, 30), st.just(2)),
                  elements=st.floats(-6, 6, allow_nan=False)),
    order=st.permutations(IDS),
    size=st.integers(1, len(IDS)),
)
def test_matrix_matches_the_formula_strings(points, order, size):
    chosen = order[:size]
    matrix = feature_matrix(points, chosen)
    assert matrix.shape == (len(points), size)
    for j, fid in enumerate(chosen):
        expected = evaluate_formula(FEATURES[fid].formula, points[:, 0], points[:, 1])
        np.testing.assert_allclose(matrix[:, j], expected, rtol=1e-12, atol=1e-300)
