"""Own data: the CSV rules (each refusal names its row), the points rules, the split by
point keys (adding a point moves no other), noise from the keys, the CSV round trip."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.engine import own_data
from playground.engine.datasets import DataError
from playground.engine.own_data import parse_csv, split_own, to_csv


# -------------------------------------------------------------------------------- CSV


ROWS = "0.5,-1.25,1\n-3,4,0\n6,-6,1\n0,0,0\n"


def test_csv_with_and_without_header_agree():
    a = parse_csv("x1,x2,label\n" + ROWS)
    b = parse_csv(ROWS)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[2:] == b[2:] == ("binary", 2)
    np.testing.assert_array_equal(a[0], [[0.5, -1.25], [-3, 4], [6, -6], [0, 0]])
    np.testing.assert_array_equal(a[1], [1, 0, 1, 0])
    assert a[0].dtype == np.float64 and a[1].dtype == np.float64
    assert a[0].shape == (4, 2) and a[1].shape == (4,)


def test_csv_tolerates_bom_crlf_spaces_and_blank_lines():
    text = "\ufeffx1, x2, label\r\n 1 , 2 , 0 \r\n\r\n-1,-2,1\r\n\n"
    x, y, kind, classes = parse_csv(text)
    np.testing.assert_array_equal(x, [[1, 2], [-1, -2]])
    np.testing.assert_array_equal(y, [0, 1])
    assert (kind, classes) == ("binary", 2)


@pytest.mark.parametrize(
    ("labels", "kind", "classes"),
    [
        (["0", "1", "1"], "binary", 2),
        (["1.0", "0.0", "1"], "binary", 2),
        (["1", "1", "1"], "binary", 2),  # K = max label + 1
        (["0", "1", "2"], "multiclass", 3),
        (["0", "2", "2"], "multiclass", 3),
        (["5", "0", "3"], "multiclass", 6),
        (["0.5", "0", "1"], "regression", None),
        (["-1", "1", "0"], "regression", None),  # a negative label is not a class index
        (["0", "0", "0"], "regression", None),  # one class only (K = 1) is not classification
        (["-0.25", "12.5", "3e-3"], "regression", None),  # any finite real is accepted
    ],
)
def test_csv_detects_classification_or_regression(labels, kind, classes):
    text = "".join(f"{i},{-i},{label}\n" for i, label in enumerate(labels))
    x, y, got_kind, got_classes = parse_csv(text)
    assert (got_kind, got_classes) == (kind, classes)
    np.testing.assert_array_equal(y, [float(label) for label in labels])


def test_csv_refuses_more_than_six_classes():
    text = "".join(f"0,0,{label}\n" for label in range(7))
    with pytest.raises(DataError, match="at most 6 classes"):
        parse_csv(text)


def test_csv_out_of_range_count_and_no_clipping():
    with pytest.raises(DataError, match=r"2 rows out of range"):
        parse_csv("7,0,0\n0,0,1\n0,-8,1\n")
    x, _, _, _ = parse_csv("6,-6,0\n-6,6,1\n")  # the edges are inside
    np.testing.assert_array_equal(x, [[6, -6], [-6, 6]])


def test_csv_row_limit():
    rows = "".join(f"{(i % 11) - 5},{(i % 7) - 3},{i % 2}\n" for i in range(own_data.MAX_ROWS))
    x, y, kind, _ = parse_csv("x1,x2,label\n" + rows)
    assert x.shape == (5000, 2) and kind == "binary"
    with pytest.raises(DataError, match=r"5001 data rows; 2..5000 rows"):
        parse_csv(rows + "0,0,1\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x1,x2,label\n1,2,0\n\n3,7.5,1\n", "row 4: x2 = 7.5 is outside [-6, 6]"),
        ("1,2,0\n-6.5,0,1\n9,9,1\n", "row 2: x1 = -6.5 is outside [-6, 6]"),
        ("1,2,0\n0,6.000001,1\n", "row 2: x2 = 6.000001 is outside [-6, 6]"),
        ("1,2,0\n3,abc,1\n", "row 2: x2 = 'abc' is not a number"),
        ("1,2,0\n3,4,yes\n", "row 2: label = 'yes' is not a number"),
        ("1,2,0\n,4,1\n", "row 2: x1 = '' is not a number"),
        ("1,zz,0\n3,4,1\n", "row 1: x2 = 'zz' is not a number"),  # some numbers: not a header
        ("1,2,0\n3,4\n", "row 2: expected 3 columns (x1,x2,label), found 2"),
        ("1,2,0\n3,4,1,5\n", "row 2: expected 3 columns (x1,x2,label), found 4"),
        ("x1,x2\n1,2\n", "row 1: expected 3 columns (x1,x2,label), found 2"),
        ("1,2,0\nnan,4,1\n", "row 2: x1 = nan is not allowed"),
        ("1,2,0\n3,inf,1\n", "row 2: x2 = inf is not allowed"),
        ("1,2,0\n3,4,-inf\n", "row 2: label = -inf is not allowed"),
        ("1,2,0\n3,4,1e999\n", "row 2: label = inf is not allowed"),
        ("", "the file is empty"),
        ("  \n\n \n", "the file is empty"),
        ("x1,x2,label\n", "no data rows"),
        ("x1,x2,label\n1,2,0\n", "1 data row; 2..5000"),
    ],
)
def test_csv_refusals_say_what_and_where(text, message):
    with pytest.raises(DataError) as info:
        parse_csv(text)
    assert message in str(info.value)


def own(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-6, 6, (n, 2)), rng.integers(0, 2, n).astype(float)


def joined(data):
    return (np.concatenate([data.x_train, data.x_test]),
            np.concatenate([data.y_train, data.y_test]))


def test_split_keeps_every_point_once_and_says_where_it_came_from():
    x, y = own(20)
    data = split_own(x, y, "binary", 2, 0.0, 75, data_seed=3)
    assert (data.n_train, data.n_test) == (15, 5)
    got_x, got_y = joined(data)
    np.testing.assert_array_equal(got_x, x[data.source])
    np.testing.assert_array_equal(got_y, y[data.source])
    assert sorted(data.source.tolist()) == list(range(20))
    again = split_own(x, y, "binary", 2, 0.0, 75, data_seed=3)
    np.testing.assert_array_equal(data.x_train, again.x_train)
    other = split_own(x, y, "binary", 2, 0.0, 75, data_seed=4)
    assert not np.array_equal(data.source, other.source)   # the seed shuffles


def test_a_point_added_moves_no_other_point():
    x, y = own(200)
    before = split_own(x, y, "binary", 2, 20.0, 50, data_seed=0)
    after = split_own(np.vstack([x, [[1.5, -2.0]]]), np.append(y, 1.0), "binary", 2, 20.0, 50, 0)
    train_before = {tuple(p) for p in before.x_train.tolist()}
    train_after = {tuple(p) for p in after.x_train.tolist()}
    test_before = {tuple(p) for p in before.x_test.tolist()}
    # the old points keep their (noisy) places; at most one crosses the train/test line
    assert len(train_before - train_after) + len(test_before & train_after) <= 1
    assert len(train_before | test_before) == 200
    assert (train_before | test_before) <= ({tuple(p) for p in joined(after)[0].tolist()})


def test_points_keep_their_order_when_others_are_removed():
    x, y = own(50)
    full = split_own(x, y, "binary", 2, 0.0, 50, 7)
    kept = split_own(x[5:], y[5:], "binary", 2, 0.0, 50, 7)
    rank = {tuple(p): i for i, p in enumerate(joined(full)[0].tolist())}
    ranks = [rank[tuple(p)] for p in joined(kept)[0].tolist()]
    assert ranks == sorted(ranks)


def test_noise_moves_each_point_at_most_jitter_times_s():
    x, y = own(2000)
    data = split_own(x, y, "binary", 2, 50.0, 50, 1)
    moved = joined(data)[0] - x[data.source]
    assert np.abs(moved).max() <= own_data.JITTER * 0.5
    assert np.abs(moved).max() > 0.9 * own_data.JITTER * 0.5          # spread over the range
    assert abs(moved.mean()) < 0.05
    quiet = split_own(x, y, "binary", 2, 0.0, 50, 1)
    np.testing.assert_array_equal(joined(quiet)[0], x[quiet.source])


def test_split_is_even_over_the_points():
    x, y = own(4000)
    data = split_own(x, y, "binary", 2, 0.0, 50, 0)
    first = data.source[:2000]
    assert 0.4 < np.mean(first < 2000) < 0.6     # not the given order


@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression"])
def test_csv_written_reads_back_exactly(kind):
    rng = np.random.default_rng(2)
    x = rng.uniform(-6, 6, (30, 2))
    y = {"binary": rng.integers(0, 2, 30), "multiclass": rng.integers(0, 4, 30),
         "regression": rng.uniform(-1, 1, 30)}[kind].astype(float)
    text = to_csv(x, y, kind)
    assert text.startswith("x1,x2,label\n")
    back_x, back_y, back_kind, _ = parse_csv(text)
    np.testing.assert_array_equal(back_x, x)
    np.testing.assert_array_equal(back_y, y)
    assert back_kind == kind


def test_labels_checked_against_a_given_kind():
    where = lambda row: f"points[{row}]"  # noqa: E731
    own_data.check_labels(np.array([0.0, 1.0]), "binary", 2, where)
    with pytest.raises(DataError, match=r"points\[1\]: label = 2.0 is not a class"):
        own_data.check_labels(np.array([0.0, 2.0]), "binary", 2, where)
    with pytest.raises(DataError, match=r"points\[0\]: label = 0.5"):
        own_data.check_labels(np.array([0.5, 2.0]), "multiclass", 3, where)
    own_data.check_labels(np.array([0.5, 7.0]), "regression", None, where)


def test_values_checked_with_the_row_named():
    where = lambda row: f"points[{row}]"  # noqa: E731
    with pytest.raises(DataError, match=r"points\[1\]: x2 = 6.5 is outside"):
        own_data.check_values(np.array([[0, 0, 0], [1, 6.5, 1.0]]), where)
    with pytest.raises(DataError, match="1 point; 2..5000"):
        own_data.check_values(np.zeros((1, 3)), where)
    with pytest.raises(DataError, match="5001 points; 2..5000"):
        own_data.check_values(np.zeros((5001, 3)), where)


coordinate = st.floats(-6, 6, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(
    points=st.lists(st.tuples(coordinate, coordinate), min_size=2, max_size=40),
    data=st.data(),
    header=st.booleans(),
)
def test_csv_round_trip(points, data, header):
    labels = data.draw(st.lists(st.integers(0, 5), min_size=len(points), max_size=len(points)))
    text = ("x1,x2,label\n" if header else "") + "".join(
        f"{a!r},{b!r},{label}\n" for (a, b), label in zip(points, labels)
    )
    x, y, kind, classes = parse_csv(text)
    np.testing.assert_array_equal(x, np.array(points, dtype=float) + 0.0)
    np.testing.assert_array_equal(y, labels)
    k = max(labels) + 1
    if k >= 2:
        assert classes == k and kind == ("binary" if k == 2 else "multiclass")
    else:
        assert (kind, classes) == ("regression", None)


@pytest.mark.parametrize(("text", "code", "params"), [
    ("1,2,0\n3,abc,1\n", "data_not_a_number", {"row": 2, "column": "x2", "value": "abc"}),
    ("1,2,0\n3,4\n", "data_columns", {"row": 2, "found": 2}),
    ("x1,x2\n1,2\n", "data_columns", {"row": 1, "found": 2}),
    ("1,2,0\nnan,4,1\n", "data_not_finite", {"row": 2, "column": "x1", "value": "nan"}),
    ("1,2,0\n0,7,1\n", "data_outside", {"row": 2, "column": "x2", "value": "7.0", "count": 1,
                                        "max": 6.0}),
    ("", "data_rows", {"rows": 0, "min": 2, "max": 5000}),
    ("0,0,7\n0,0,1\n", "data_classes", {"classes": 8, "max": 6}),
])
def test_csv_refusals_carry_a_code_and_params(text, code, params):
    with pytest.raises(DataError) as info:
        parse_csv(text)
    assert (info.value.code, info.value.params) == (code, params)
