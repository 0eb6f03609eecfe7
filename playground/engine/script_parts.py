"""What every exported script shares (export.py writes the NumPy one, export_pytorch.py
and export_keras.py the PyTorch and Keras ones): the network as plain numbers (`ScriptSpec`), and the blocks of
text that hold the data, the features, the parameters and the printing of predictions.

Numbers are written with `repr`, the shortest text that reads back as the same float64,
so the script's network is the playground's, bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from string import Template

import numpy as np

from .features import FEATURES
from .heads import HEADS
from .optimizers import ADAM_BETA1, ADAM_BETA2, ADAM_EPS

# where the printed predictions are made: spread over the playground's square; edit freely
PREDICT_POINTS = ((-4.0, -4.0), (-2.0, 3.0), (0.0, 0.0), (1.5, -2.5), (4.0, 4.0))


@dataclass(frozen=True)
class HiddenSpec:
    units: int
    activation: str
    dropout: float
    noise_sigma: float = 0.1   # Noisy ReLU's, while training
    batch_norm: tuple | None = None   # (gamma, beta, running mean, running variance)


@dataclass(frozen=True)
class ScriptSpec:
    """A network, its training settings and its data, as a script needs them."""

    dataset: str
    kind: str                      # binary, multiclass, regression
    classes: int | None
    features: Sequence[str]
    hidden: Sequence[HiddenSpec]
    head: str
    weights: Sequence[np.ndarray]  # weights[l]: (inputs, outputs)
    biases: Sequence[np.ndarray]
    slopes: Sequence[np.ndarray | None]  # per hidden layer; PReLU only
    optimizer: str
    learning_rate: float
    momentum: float
    batch_size: int
    regularization: str
    reg_rate: float
    step: int
    epoch: int
    train_x: np.ndarray            # (n, 2)
    train_y: np.ndarray            # (n,)
    test_x: np.ndarray
    test_y: np.ndarray
    predict_points: Sequence[Sequence[float]] = PREDICT_POINTS
    beta1: float = ADAM_BETA1
    beta2: float = ADAM_BETA2

    @property
    def outputs(self) -> int:
        return HEADS[self.head].units(self.classes)

    def architecture(self) -> str:
        """e.g. "2 inputs -> 4 tanh -> 2 tanh -> 1 sigmoid"."""
        parts = [f"{len(self.features)} inputs"]
        for h in self.hidden:
            extras = (["batch norm"] if h.batch_norm is not None else []) + (
                [f"dropout {h.dropout:g}"] if h.dropout else [])
            parts.append(f"{h.units} {h.activation}" + (f" ({', '.join(extras)})" if extras else ""))
        parts.append(f"{self.outputs} {self.head}")
        return " -> ".join(parts)


def fill(template: str, **values: object) -> str:
    """A script block with its $names filled in (Python code is full of braces, never $)."""
    return Template(template).substitute(**{k: str(v) for k, v in values.items()})


def with_optimizer_settings(template: str, spec: ScriptSpec) -> str:
    """An optimizer's code with its settings: $momentum, $beta1, $beta2, $eps."""
    return fill(template, momentum=number(spec.momentum), beta1=number(spec.beta1),
                beta2=number(spec.beta2), eps=number(ADAM_EPS))


def number(x: float) -> str:
    return repr(float(x))


def matrix(a: np.ndarray, indent: str = "    ") -> str:
    """A 2-D array as `np.array([...])`, a row a line."""
    rows = "\n".join(f"{indent}    [{', '.join(number(v) for v in row)}]," for row in a)
    return f"np.array([\n{rows}\n{indent}])"


def vector(a: np.ndarray) -> str:
    return f"np.array([{', '.join(number(v) for v in a)}])"


HEADER = '''"""$title

Exported from Neural Playground at step $step (epoch $epoch): the dataset "$dataset",
a network of $architecture.

Run as is, it prints the network's outputs for the points in PREDICT_POINTS, one line
each: the numbers the playground shows for those points. Train it further first with

    python $filename --epochs 100

Training is the playground's: the same loss, optimizer, batch size and regularization.
When one batch holds the whole training set, an epoch is one step on the points in their
stored order, as there, so N epochs here are N more steps in the playground. Smaller
batches are shuffled (and dropout drawn) by this script's own random generator, not the
playground's, so then the numbers come out a little different.$optimizer_note
"""
'''

DATA = '''
# ------------------------------------------------------------------------------ data
# The playground's own points, embedded exactly. Columns: x1, x2, label$label_note.
TRAIN = np.array([
$train
])
TEST = np.array([
$test
])

# Points whose predictions are printed: edit freely.
PREDICT_POINTS = [
$predict
]

# -------------------------------------------------------------------------- features
# What the input layer sees: each input is a function of the point (x1, x2).
FEATURES = {
$features
}


def features(points):
    """Points (n, 2) -> the network's inputs (n, $inputs), a column per feature."""
    points = np.asarray(points, dtype=np.float64)
    x1, x2 = points[:, 0], points[:, 1]
    return np.stack([f(x1, x2) for f in FEATURES.values()], axis=1)


# ------------------------------------------------------------------------ parameters
# weights[l] has shape (inputs, outputs): a layer computes z = a @ W + b for a whole
# batch of rows a at once.
$parameters
'''

FEATURE_CODE = {"x1": "x1", "x2": "x2", "x1_sq": "x1 * x1", "x2_sq": "x2 * x2",
                "x1x2": "x1 * x2", "sin_x1": "np.sin(x1)", "sin_x2": "np.sin(x2)"}
assert set(FEATURE_CODE) == set(FEATURES), "every feature needs its line of code"

LABEL_NOTE = {"binary": " (class 0 or 1)", "multiclass": " (the class, 0 to K-1)",
              "regression": " (the value to predict)"}


def uses_batch_norm(spec: ScriptSpec) -> bool:
    return any(h.batch_norm is not None for h in spec.hidden)


def data_block(spec: ScriptSpec) -> str:
    """Data, features and parameters: the part every script begins with."""
    def rows(x: np.ndarray, y: np.ndarray) -> str:
        return "\n".join(f"    [{number(a)}, {number(b)}, {number(label)}],"
                         for (a, b), label in zip(x, y))

    weights = ",\n".join(f"    {matrix(w, '    ')}" for w in spec.weights)
    biases = ",\n".join(f"    {vector(b)}" for b in spec.biases)
    slopes = ", ".join("None" if s is None else vector(s) for s in spec.slopes)
    parameters = (f"WEIGHTS = [\n{weights},\n]\nBIASES = [\n{biases},\n]\n"
                  "# per hidden layer: its learned slopes when it is PReLU, else None\n"
                  f"PRELU_SLOPES = [{slopes}]")
    norms = ",\n".join("    None" if h.batch_norm is None else
                       "    [" + ", ".join(vector(v) for v in h.batch_norm) + "]"
                       for h in spec.hidden)
    parameters += ("\n# per hidden layer: its batch norm's [gamma, beta, running mean, running "
                   f"variance], or None\nBATCH_NORM = [\n{norms},\n]" if uses_batch_norm(spec)
                   else f"\nBATCH_NORM = [{', '.join(['None'] * len(spec.hidden))}]  # "
                        "no batch norm here")
    return fill(
        DATA, label_note=LABEL_NOTE[spec.kind], train=rows(spec.train_x, spec.train_y),
        test=rows(spec.test_x, spec.test_y),
        predict="\n".join(f"    [{number(a)}, {number(b)}]," for a, b in spec.predict_points),
        features="\n".join(f'    "{f}": lambda x1, x2: {FEATURE_CODE[f]},'
                           for f in spec.features),
        inputs=len(spec.features), parameters=parameters)


OPTIMIZER_NOTE = ("\n\nThe optimizer starts afresh here: its running averages in the playground "
                  "are not\ncarried over.")


def header(spec: ScriptSpec, title: str, filename: str, optimizer_note: str = "") -> str:
    """The script's docstring; `optimizer_note` is what more it says of its optimizer."""
    if spec.optimizer != "sgd":
        optimizer_note = OPTIMIZER_NOTE + optimizer_note
    return fill(HEADER, title=title, step=spec.step, epoch=spec.epoch, dataset=spec.dataset,
                architecture=spec.architecture(), filename=filename,
                optimizer_note=optimizer_note)


def settings_block(spec: ScriptSpec) -> str:
    """The training settings as constants."""
    return (f"LEARNING_RATE = {number(spec.learning_rate)}\n"
            f"BATCH_SIZE = {spec.batch_size}\n"
            f"REGULARIZATION = \"{spec.regularization}\"  # on weights only, never biases\n"
            f"REGULARIZATION_RATE = {number(spec.reg_rate)}\n")


PRINT_PREDICTIONS = '''

def print_predictions(outputs):
    """One line a point: x1 x2 -> the output layer's values."""
    for (x1, x2), values in zip(PREDICT_POINTS, outputs):
        print(f"{x1:g} {x2:g} ->", " ".join(repr(float(v)) for v in values))
'''

ARGUMENTS = '''

def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=0,
                        help="epochs to train before predicting (default 0: the "
                             "playground's network as it is)")
    return parser.parse_args()
'''


def comment(note: str | None, indent: str = "") -> str:
    """A note as comment lines (each line of `note` one line of comment), or nothing."""
    return "".join(f"{indent}# {line}\n" for line in note.splitlines()) if note else ""


def uses_prelu(spec: ScriptSpec) -> bool:
    return any(h.activation == "prelu" for h in spec.hidden)
