"""The Keras script of a network (export.py has the NumPy one and says what a script
is): Keras's own model on the backend installed, the playground's parameters copied into
it, training on the batches the NumPy script draws, and comments, beside the line
concerned, where Keras's defaults differ from the playground (each table's note is
written above its code, only for what the network uses, once each).
"""

from __future__ import annotations

from .script_parts import (
    ARGUMENTS,
    PRINT_PREDICTIONS,
    ScriptSpec,
    comment,
    data_block,
    fill,
    header,
    number,
    settings_block,
    uses_batch_norm,
    uses_prelu,
    with_optimizer_settings,
)

# ------------------------------------------------------------------ Keras
KERAS_IMPORTS = '''
import argparse
import importlib.util
import os

# Keras 3 runs on JAX, TensorFlow or PyTorch, whichever is chosen before keras is first
# imported: by KERAS_BACKEND when it is set, else here the first of them installed (Keras
# itself would take TensorFlow, or the one named in ~/.keras/keras.json). PyTorch comes
# last: on it Keras (3.15 at least) computes Dense layers in float32 even in a float64
# model (as in keras-team/keras#23223), and the numbers agree with the playground's to about
# 7 digits, not 15.
if "KERAS_BACKEND" not in os.environ:
    installed = [name for name in ("jax", "tensorflow", "torch") if importlib.util.find_spec(name)]
    os.environ["KERAS_BACKEND"] = installed[0] if installed else "tensorflow"
# JAX computes in float32, even when asked for float64, unless told before it is loaded
os.environ.setdefault("JAX_ENABLE_X64", "1")

import keras  # noqa: E402  (imported only now: the backend is chosen above)
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402
'''

# id -> (a Dense layer's activation, a layer of its own after it or None, a note)
KERAS_ACTIVATION = {
    "linear": ('"linear"', None, None),
    "sigmoid": ('"sigmoid"', None, None),
    "tanh": ("tanh", None, None),  # KERAS_FUNCTIONS says why it is a function of ours
    "relu": ('"relu"', None, None),
    "leaky_relu": ('"linear"', "layers.LeakyReLU(negative_slope=0.01)",
                   "Keras's LeakyReLU slope defaults to 0.3; the playground's is 0.01"),
    "prelu": ('"linear"', "layers.PReLU()",
              "PReLU: one learned slope per unit, as in the playground; set below"),
    "elu": ('"elu"', None, None),
    "softplus": ('"softplus"', None,
                 ("on the PyTorch backend this is PyTorch's Softplus: z itself once z > 20,\n"
                  "off there by up to 2e-9")),
    "swish": ('"silu"', None, "swish, z * sigmoid(z), is also called SiLU"),
    "gelu": ("gelu", None, None),
    "rrelu": ('"linear"', "RReLU()",
              ("RReLU: Keras has none, so the script defines it (above); its slopes come\n"
               "from Keras's generator, not the playground's")),
    "noisy_relu": ('"linear"', "NoisyReLU($sigma)",
                   ("Noisy ReLU: Keras has none, so the script defines it (above); its noise\n"
                    "comes from Keras's generator, not the playground's")),
}
# the activations written as functions of the script's own
KERAS_FUNCTIONS = {
    "tanh": '''

def tanh(z):
    """tanh(z) = 2 sigmoid(2z) - 1: Keras's own tanh (3.15 at least) computes in float32
    on JAX even in a float64 model (as in keras-team/keras#23223)."""
    return 2.0 * keras.ops.sigmoid(2.0 * z) - 1.0
''',
    "rrelu": '''

class RReLU(layers.Layer):
    """PyTorch's RReLU: z if z > 0 else r z, r ~ U(1/8, 1/3) per element while training,
    the mean 11/48 otherwise."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seeds = keras.random.SeedGenerator(0)

    def call(self, z, training=False):
        r = (1.0 / 8.0 + 1.0 / 3.0) / 2.0
        if training:
            r = keras.random.uniform(keras.ops.shape(z), 1.0 / 8.0, 1.0 / 3.0, dtype=z.dtype,
                                     seed=self.seeds)
        return keras.ops.where(z > 0.0, z, r * z)
''',
    "noisy_relu": '''

class NoisyReLU(layers.Layer):
    """max(0, z + n), n ~ N(0, sigma^2) per element while training; max(0, z) otherwise."""

    def __init__(self, sigma, **kwargs):
        super().__init__(**kwargs)
        self.sigma, self.seeds = sigma, keras.random.SeedGenerator(0)

    def call(self, z, training=False):
        if training:
            z = z + self.sigma * keras.random.normal(keras.ops.shape(z), dtype=z.dtype,
                                                     seed=self.seeds)
        return keras.ops.maximum(z, 0.0)
''',
    "gelu": '''

def gelu(z):
    """The playground's GELU is the tanh approximation; Keras's default is exact."""
    return keras.activations.gelu(z, approximate=True)
''',
}
# head id -> (the loss of each example from the logits z, the keras.losses class it writes
# out, the labels as the loss takes them, the head's output from the logits z)
KERAS_HEAD = {
    "sigmoid": ("keras.ops.squeeze(keras.ops.binary_crossentropy(t, z, from_logits=True), 1)",
                "BinaryCrossentropy(from_logits=True)", "labels.reshape(-1, 1)",
                "keras.ops.sigmoid(z)"),
    "softmax": ("keras.ops.categorical_crossentropy(t, z, from_logits=True)",
                "CategoricalCrossentropy(from_logits=True)",
                "np.eye(OUTPUTS)[labels.astype(int)]  # one-hot",
                "keras.ops.softmax(z, axis=1)"),
    "one_vs_all": (("keras.ops.sum(keras.ops.binary_crossentropy(t, z, from_logits=True), 1) "
                    "/ OUTPUTS"), "BinaryCrossentropy(from_logits=True)",
                   "np.eye(OUTPUTS)[labels.astype(int)]  # one-hot", "keras.ops.sigmoid(z)"),
    "linear": ("keras.ops.squeeze(keras.ops.square(keras.ops.subtract(z, t)), 1)",
               "MeanSquaredError()", "labels.reshape(-1, 1)", "z"),
}
KERAS_LOSS_NAME = {"sigmoid": "binary cross-entropy", "softmax": "categorical cross-entropy",
                   "one_vs_all": "binary cross-entropy averaged over the classes",
                   "linear": "squared error"}
KERAS_OPTIMIZER = {  # id -> (the optimizer, a note)
    "sgd": ("keras.optimizers.SGD(learning_rate=LEARNING_RATE)", None),
    "momentum": (
        "keras.optimizers.SGD(learning_rate=LEARNING_RATE, momentum=$momentum)",
        ("Keras writes momentum as v = mu v - lr g; w += v, the playground (as PyTorch)\n"
         "v = mu v + g; w -= lr v: the same steps while the learning rate stays fixed.")),
    "adam": (
        ("keras.optimizers.Adam(learning_rate=LEARNING_RATE, beta_1=$beta1, beta_2=$beta2,\n"
         "                                  epsilon=$eps)"),
        ("Keras's Adam epsilon defaults to 1e-7 (the playground's and PyTorch's: 1e-8), and\n"
         "Keras adds it before the bias correction: w -= lr sqrt(1 - b2^t) / (1 - b1^t) m /\n"
         "(sqrt(v) + eps), where the playground divides by sqrt(v / (1 - b2^t)) + eps. Its\n"
         "eps then acts as eps / sqrt(1 - b2^t) does there: 32 times larger at the first\n"
         "step, 1.3 times after 1000. The steps differ a little where a gradient is as small\n"
         "as eps; the training curves look the same.")),
}
KERAS_REGULARIZER = {  # id -> the weights' regularizer, with a note where one is due
    "none": "",
    "l1": "REGULARIZER = keras.regularizers.L1(REGULARIZATION_RATE)\n",
    "l2": ("# Keras's L2(c) adds c * sum w^2; the playground's L2 is rate / 2 * sum w^2\n"
           "REGULARIZER = keras.regularizers.L2(REGULARIZATION_RATE / 2)\n"),
}

KERAS = '''
# ------------------------------------------------------------------------- network
# The playground computes in float64; Keras's default is float32, which agrees with it to
# about 7 digits only. Set before any layer or optimizer is made: each takes its dtype
# when it is created.
keras.config.set_floatx("float64")
OUTPUTS = $outputs
$settings$regularizer$functions
# The model gives the logits z; the head ($head) is applied by the loss while training
# and by `predict`. A Dense layer keeps W as (inputs, outputs), as the playground does
# (PyTorch's nn.Linear keeps its transpose); its random starting weights (Glorot-uniform)
# are replaced by the playground's just below.
model = keras.Sequential([
    keras.Input(shape=($inputs,)),
$layers
])
dense = [layer for layer in model.layers if isinstance(layer, layers.Dense)]
for layer, w, b in zip(dense, WEIGHTS, BIASES):
    layer.set_weights([w, b])
$copy_slopes

# ------------------------------------------------------------------------ training
def loss_function(t, z):
    """Each example's $loss_name, from the logits z.

    Keras averages it over a batch. keras.losses.$builtin
    computes the same, but averages with keras.ops.mean, which Keras (3.15 at least)
    computes in float32 on JAX and PyTorch even in a float64 model
    (as in keras-team/keras#23223): its losses, and the steps they give, would agree with the
    playground's to about 7 digits only."""
    return $loss


${optimizer_note}\
optimizer = $optimizer
model.compile(optimizer=optimizer, loss=loss_function)


def as_targets(labels):
    return $targets


def logits(x):
    """The model's logits for the rows x, dropout off."""
    return model(x, training=False)


def mean_loss(x, t):
    """The data loss over a whole set (no penalty, no dropout), as the playground shows it."""
    return float(np.mean(keras.ops.convert_to_numpy(loss_function(t, logits(x)))))


def train(epochs, rng):
    """Mini-batch training, batch by batch as the NumPy script trains: each epoch a fresh
    shuffle drawn from `rng` (none when one batch holds all the data, as in the
    playground), so without dropout both scripts take the same steps. fit's own shuffle
    is off: it would draw other batches, and reorder even a single one."""
    x, t = features(TRAIN[:, :2]), as_targets(TRAIN[:, 2])
    x_test, t_test = features(TEST[:, :2]), as_targets(TEST[:, 2])
    n = len(x)
    for epoch in range(epochs):
        order = rng.permutation(n) if BATCH_SIZE < n else np.arange(n)
        # dropout is on inside fit only; the loss there adds the layers' penalties
        model.fit(x[order], t[order], batch_size=BATCH_SIZE, epochs=1, shuffle=False,
                  verbose=0)
        print(f"# epoch {epoch + 1}: training loss {mean_loss(x, t):.6f}, "
              f"test loss {mean_loss(x_test, t_test):.6f}")


def predict(points):
    """The head's outputs for points (n, 2), dropout off."""
    z = logits(features(points))
    return keras.ops.convert_to_numpy($output)
'''

KERAS_SLOPES = '''\
prelus = [layer for layer in model.layers if isinstance(layer, layers.PReLU)]
for layer, s in zip(prelus, [s for s in PRELU_SLOPES if s is not None]):
    layer.set_weights([s])
'''

KERAS_NORMS = '''\
# BATCH_NORM_NOTE: Keras's momentum is the share of the old running value kept (0.9), where
# PyTorch's and the playground's 0.1 is the share of the new batch's; and Keras moves the
# running variance by the batch's biased variance, the playground (as PyTorch) by the
# unbiased one: after training the running variances differ a little, and so do outputs.
# Keras's BatchNormalization (3.15 at least) also normalizes in float32 on JAX even in a
# float64 model (as in keras-team/keras#23223): its outputs agree to about 7 digits.
norms = [layer for layer in model.layers if isinstance(layer, layers.BatchNormalization)]
for layer, values in zip(norms, [n for n in BATCH_NORM if n is not None]):
    layer.set_weights(list(values))  # gamma, beta, moving mean, moving variance
'''

KERAS_MAIN = '''

if __name__ == "__main__":
    args = arguments()
    keras.utils.set_random_seed(0)  # dropout's masks
    train(args.epochs, np.random.default_rng(0))  # the batches: the NumPy script's generator
    print_predictions(predict(PREDICT_POINTS))
'''

KERAS_ADAM_NOTE = (" Keras's Adam, too, puts its epsilon elsewhere than the\nplayground's "
                   "(see the optimizer below): its steps differ a little where\ngradients "
                   "are small.")


def _keras_layers(spec: ScriptSpec) -> str:
    regularizer = "" if spec.regularization == "none" else ", kernel_regularizer=REGULARIZER"
    lines, noted = [], set()
    for h in spec.hidden:
        activation, extra, note = KERAS_ACTIVATION[h.activation]
        if h.activation not in noted:
            lines.append(comment(note, "    "))
            noted.add(h.activation)
        if h.batch_norm is not None:   # the activation after the normalization
            lines.append(f"    layers.Dense({h.units}{regularizer}),\n")
            lines.append("    layers.BatchNormalization(momentum=0.9, epsilon=1e-5),  # see "
                         "BATCH_NORM_NOTE\n")
            if activation != '"linear"':
                lines.append(f"    layers.Activation({activation}),\n")
        else:
            lines.append(f"    layers.Dense({h.units}, activation={activation}{regularizer}),\n")
        if extra:
            lines.append(f"    {fill(extra, sigma=number(h.noise_sigma))},\n")
        if h.dropout:
            lines.append(f"    layers.Dropout({number(h.dropout)}),  # inverted, as the "
                         "playground's\n")
    lines.append(f"    layers.Dense({spec.outputs}{regularizer}),  # the logits")
    return "".join(lines)


def _keras_functions(spec: ScriptSpec) -> str:
    """The activations the network uses that the script writes as functions of its own."""
    used = [a for a in dict.fromkeys(h.activation for h in spec.hidden) if a in KERAS_FUNCTIONS]
    return "".join(KERAS_FUNCTIONS[a] for a in used) + ("\n" if used else "")


def keras_script(spec: ScriptSpec) -> str:
    loss, builtin, targets, output = KERAS_HEAD[spec.head]
    optimizer, optimizer_note = KERAS_OPTIMIZER[spec.optimizer]
    body = fill(KERAS, outputs=spec.outputs, settings=settings_block(spec), head=spec.head,
                inputs=len(spec.features), layers=_keras_layers(spec),
                regularizer=KERAS_REGULARIZER[spec.regularization],
                functions=_keras_functions(spec),
                copy_slopes=(KERAS_SLOPES if uses_prelu(spec) else "")
                + (KERAS_NORMS if uses_batch_norm(spec) else ""),
                loss_name=KERAS_LOSS_NAME[spec.head], builtin=builtin, loss=loss,
                optimizer_note=comment(optimizer_note),
                optimizer=with_optimizer_settings(optimizer, spec), targets=targets,
                output=output)
    note = KERAS_ADAM_NOTE if spec.optimizer == "adam" else ""
    return "".join([
        header(spec, "A Neural Playground network in Keras 3 (on JAX, TensorFlow or PyTorch).",
               "playground_keras.py", note),
        KERAS_IMPORTS, data_block(spec), body, PRINT_PREDICTIONS, ARGUMENTS, KERAS_MAIN,
    ])
