"""A learner's own data (DATASETS.md, "Own data"): an uploaded ``x1,x2,label`` CSV or
points drawn on the plot, checked by one set of rules, and split so that adding or
removing a point never reshuffles the others.

The generated datasets are shuffled with one permutation, so one more point would give
every point a new place. Own data is drawn a point at a time, so its order comes from the
points themselves instead: each point's key is a 64-bit hash of its coordinates, its
label and the data seed; the points sorted by key are the shuffle (the first
``train_size`` train, the rest test), and the same key gives the point's noise. Adding a
point moves no other point, and changes the role of at most the one at the train/test
boundary.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .datasets import EXTENT, Data, DataError, Kind, train_size

MAX_ROWS = 5000
MIN_ROWS = 2  # one for training, one for testing
MAX_CLASSES = 6
COLUMNS = ("x1", "x2", "label")
JITTER = 3.0  # noise s moves a point by U(-JITTER, JITTER) * s per axis (+-1.5 at noise 50)

Where = Callable[[int], int]  # a row's number in a refusal: its line (CSV), its index (JSON)


# ------------------------------------------------------------------------ the rules
def _rows(what: str, n: int) -> DataError:
    return DataError(f"{what}; {MIN_ROWS}..{MAX_ROWS} rows 'x1,x2,label' are needed (at least "
                     "one to train on and one to test on; a header line is optional)",
                     "data_rows", rows=n, min=MIN_ROWS, max=MAX_ROWS)


def _columns(row: int, found: int) -> DataError:
    return DataError(f"row {row}: expected 3 columns (x1,x2,label), found {found}",
                     "data_columns", row=row, found=found)


def check_values(values: np.ndarray, where: Where) -> None:
    """Refuse (DataError, naming the row) a value that is not finite or a point outside
    [-6, 6]^2 (never clipped), and a count outside MIN_ROWS..MAX_ROWS."""
    n = len(values)
    if n > MAX_ROWS:
        raise _rows(f"{n} points", n)
    if n < MIN_ROWS:
        raise _rows(f"{n} point{'s' if n != 1 else ''}", n)
    bad = ~np.isfinite(values)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        value = float(values[row, col])
        raise DataError(f"row {where(row)}: {COLUMNS[col]} = {value!r} is not allowed; every "
                        "value must be a finite number (no NaN or infinity)", "data_not_finite",
                        row=where(row), column=COLUMNS[col], value=repr(value))
    outside = np.abs(values[:, :2]) > EXTENT
    if outside.any():
        row, col = (int(i) for i in np.argwhere(outside)[0])
        count = int(outside.any(axis=1).sum())
        value = float(values[row, col])
        raise DataError(
            f"row {where(row)}: {COLUMNS[col]} = {value!r} is outside [-{EXTENT:g}, {EXTENT:g}]; "
            f"points must lie in [-{EXTENT:g}, {EXTENT:g}]^2 and are not clipped ({count} "
            f"row{'s' if count != 1 else ''} out of range)", "data_outside", row=where(row),
            column=COLUMNS[col], value=repr(value), count=count, max=EXTENT)


def label_kind(y: np.ndarray) -> tuple[Kind, int | None]:
    """Classification when all labels are integers 0..K-1 with K = max + 1 >= 2, else regression."""
    if np.all(y == np.round(y)) and y.min() >= 0 and y.max() >= 1:
        k = int(y.max()) + 1
        if k > MAX_CLASSES:
            raise DataError(
                f"labels are class indices 0..{k - 1} ({k} classes), but at most "
                f"{MAX_CLASSES} classes are allowed (labels 0..{MAX_CLASSES - 1}); "
                "for regression use real-valued labels", "data_classes", classes=k,
                max=MAX_CLASSES)
        return ("binary" if k == 2 else "multiclass"), k
    return "regression", None


def check_labels(y: np.ndarray, kind: Kind, classes: int | None, where: Where) -> None:
    """Refuse a label a dataset of this kind cannot hold: a class index outside 0..K-1
    (classification); regression takes any finite real."""
    if kind == "regression":
        return
    wrong = (y != np.round(y)) | (y < 0) | (y > classes - 1)
    if wrong.any():
        row = int(np.argmax(wrong))
        raise DataError(f"row {where(row)}: label = {float(y[row])!r} is not a class of this "
                        f"{kind} dataset; labels are the class indices 0..{classes - 1}",
                        "data_label", row=where(row), value=repr(float(y[row])),
                        last=classes - 1)


def kind_of(kind: Kind, classes: int | None) -> tuple[Kind, int | None]:
    """(kind, classes) made whole: binary has 2 classes, regression none, multi-class 3..6."""
    if kind == "binary":
        return kind, 2
    if kind == "regression":
        return kind, None
    if classes is None or not 3 <= classes <= MAX_CLASSES:
        raise DataError(f"a multiclass dataset has 3..{MAX_CLASSES} classes; got {classes!r}",
                        "data_classes", classes=classes, max=MAX_CLASSES)
    return kind, classes


# ------------------------------------------------------------------------ CSV
def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def parse_csv(text: str) -> tuple[np.ndarray, np.ndarray, Kind, int | None]:
    """Parse an uploaded ``x1,x2,label`` file into (x (n, 2), y (n,), kind, classes).

    A first line none of whose fields is a number is a header. Blank lines are skipped.
    2..5,000 data rows. Labels that are all integers 0..K-1 (K = max label + 1, 2 <= K <= 6)
    make a classification set ("binary" when K == 2, else "multiclass"); any other finite
    labels make a regression set. Points outside [-6, 6]^2 are refused, never clipped.
    Every refusal raises DataError naming the row (its 1-based line number in the file).
    """
    lines = [(number, line)
             for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1)
             if line.strip()]
    if not lines:
        raise _rows("the file is empty", 0)
    number, first = lines[0]
    fields = first.split(",")
    if not any(_is_number(f) for f in fields):  # a header
        if len(fields) != 3:
            raise _columns(number, len(fields))
        lines = lines[1:]
    if not lines:
        raise _rows("the file has a header but no data rows", 0)
    if not MIN_ROWS <= len(lines) <= MAX_ROWS:
        n = len(lines)
        raise _rows(f"the file has {n} data row{'s' if n != 1 else ''}", n)

    values = np.empty((len(lines), 3))
    for row, (number, line) in enumerate(lines):
        fields = line.split(",")
        if len(fields) != 3:
            raise _columns(number, len(fields))
        for col, field in enumerate(fields):
            try:
                values[row, col] = float(field)
            except ValueError:
                raise DataError(
                    f"row {number}: {COLUMNS[col]} = {field.strip()!r} is not a number",
                    "data_not_a_number", row=number, column=COLUMNS[col],
                    value=field.strip()[:40]) from None
    numbers = [number for number, _ in lines]
    check_values(values, lambda row: numbers[row])
    y = values[:, 2] + 0.0  # + 0.0 turns -0.0 into 0.0
    kind, classes = label_kind(y)
    return values[:, :2] + 0.0, y, kind, classes


def to_csv(x: np.ndarray, y: np.ndarray, kind: Kind) -> str:
    """The points as an ``x1,x2,label`` file that parse_csv reads back exactly (Python's
    shortest round-tripping float text; class labels as integers)."""
    label = (lambda v: repr(float(v))) if kind == "regression" else (lambda v: str(int(v)))
    rows = (f"{a!r},{b!r},{label(c)}" for (a, b), c in zip(x.tolist(), y.tolist()))
    return "\n".join(["x1,x2,label", *rows]) + "\n"


# ------------------------------------------------------------------------ the split
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a well-spread 64-bit hash of each uint64 (arithmetic wraps)."""
    z = z + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def point_keys(x: np.ndarray, y: np.ndarray, data_seed: int) -> np.ndarray:
    """Each point's 64-bit key: a hash of the bits of (x1, x2, label) and the seed."""
    bits = (np.column_stack([x, y]) + 0.0).astype("<f8").view(np.uint64)   # -0.0 is 0.0
    key = np.full(len(bits), np.uint64(data_seed))
    for col in range(3):
        key = _mix(key ^ bits[:, col])
    return key


def _uniform(keys: np.ndarray, stream: int) -> np.ndarray:
    """A U(0, 1) number per key, one independent stream per `stream`."""
    return (_mix(keys ^ np.uint64(stream)) >> np.uint64(11)) * (1.0 / 2**53)


def split_own(x: np.ndarray, y: np.ndarray, kind: Kind, classes: int | None, noise: float,
              train_ratio: float, data_seed: int) -> Data:
    """Own points (x (n, 2), y (n,)) as a train/test split: sorted by their keys, the first
    ``train_size(n, train_ratio)`` train; each moved by U(-3, 3) * noise/100 per axis drawn
    from its key. ``Data.source`` says which given point each row is."""
    keys = point_keys(x, y, data_seed)
    order = np.argsort(keys, kind="stable")
    jitter = np.column_stack([_uniform(keys, 1), _uniform(keys, 2)]) * 2.0 - 1.0
    moved = x + jitter * (JITTER * noise / 100.0)
    k = train_size(len(x), train_ratio)
    train, test = order[:k], order[k:]
    return Data(moved[train], y[train] + 0.0, moved[test], y[test] + 0.0, kind, classes,
                source=order)
