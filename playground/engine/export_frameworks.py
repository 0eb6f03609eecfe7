"""The PyTorch and Keras scripts of a network (export.py has the NumPy one and says what
a script is). Each builds the framework's own model, copies the playground's parameters
into it, and says in comments where the framework's defaults differ from the playground.
"""

from __future__ import annotations

from .script_parts import (
    ARGUMENTS,
    PRINT_PREDICTIONS,
    ScriptSpec,
    data_block,
    fill,
    header,
    number,
    settings_block,
    with_optimizer_settings,
)

OPTIMIZER_NOTE = ("\nThe optimizer starts afresh here: its running averages in the "
                  "playground are not carried over.")

# ------------------------------------------------------------------ PyTorch
TORCH_ACTIVATION = {
    "linear": "nn.Identity()", "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()",
    "relu": "nn.ReLU()", "leaky_relu": "nn.LeakyReLU(0.01)",
    "prelu": "nn.PReLU($units)",
    "elu": "nn.ELU()",
    # Softplus returns z itself once z > 20 (its `threshold`): off by less than 3e-9
    "softplus": "nn.Softplus()",
    "swish": "nn.SiLU()",  # swish is PyTorch's SiLU
    "gelu": 'nn.GELU(approximate="tanh")',  # the playground's GELU is the tanh approximation
}
TORCH_HEAD = {  # head id -> (loss, the labels as the loss takes them, output from logits)
    "sigmoid": ("nn.BCEWithLogitsLoss()", "torch.tensor(labels).reshape(-1, 1)",
                "torch.sigmoid(logits)"),
    "softmax": ("nn.CrossEntropyLoss()", "torch.tensor(labels).long()",
                "torch.softmax(logits, dim=1)"),
    "one_vs_all": ("nn.BCEWithLogitsLoss()  # mean over examples and classes",
                   "nn.functional.one_hot(torch.tensor(labels).long(), OUTPUTS).double()",
                   "torch.sigmoid(logits)"),
    "linear": ("nn.MSELoss()", "torch.tensor(labels).reshape(-1, 1)", "logits"),
}
TORCH_OPTIMIZER = {
    "sgd": "torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)",
    "momentum": "torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=$momentum)",
    "adam": "torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=($beta1, $beta2),\n"
            "                             eps=$eps)",
}

TORCH = '''
# ------------------------------------------------------------------------- network
# The playground computes in float64; PyTorch's default is float32.
torch.set_default_dtype(torch.float64)
OUTPUTS = $outputs

# The model gives the logits z; the head ($head) is applied by the loss while training
# and by `predict`. nn.Linear starts from its own random weights (Kaiming-uniform):
# they are replaced by the playground's just below.
model = nn.Sequential(
$layers
)
with torch.no_grad():
    linears = [m for m in model if isinstance(m, nn.Linear)]
    for layer, w, b in zip(linears, WEIGHTS, BIASES):
        layer.weight.copy_(torch.tensor(w).T)  # nn.Linear keeps W as (outputs, inputs)
        layer.bias.copy_(torch.tensor(b))
    prelus = [m for m in model if isinstance(m, nn.PReLU)]
    for layer, s in zip(prelus, [s for s in PRELU_SLOPES if s is not None]):
        layer.weight.copy_(torch.tensor(s))

loss_function = $loss


def as_targets(labels):
    return $targets


def penalty():
    """Regularization on the weights (never the biases): L1 rate * sum|w|, L2 rate / 2 *
    sum w^2 (for SGD, L2 is `weight_decay=rate` on the weights)."""
    weights = [layer.weight for layer in linears]
    if REGULARIZATION == "l1":
        return REGULARIZATION_RATE * sum(w.abs().sum() for w in weights)
    if REGULARIZATION == "l2":
        return REGULARIZATION_RATE / 2 * sum((w * w).sum() for w in weights)
    return 0.0


# ------------------------------------------------------------------------ training
$settings
optimizer = $optimizer


def train(epochs):
    x = torch.tensor(features(TRAIN[:, :2]))
    t = as_targets(TRAIN[:, 2])
    n = len(x)
    model.train()  # dropout on
    for epoch in range(epochs):
        order = torch.randperm(n) if BATCH_SIZE < n else torch.arange(n)
        for start in range(0, n, BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            optimizer.zero_grad()
            loss = loss_function(model(x[batch]), t[batch]) + penalty()
            loss.backward()
            optimizer.step()
        print(f"# epoch {epoch + 1}: last batch's loss {loss.item():.6f}")
    model.eval()  # dropout off


def predict(points):
    with torch.no_grad():
        logits = model(torch.tensor(features(points)))
        return ($output).numpy()
'''

TORCH_MAIN = '''
if __name__ == "__main__":
    args = arguments()
    torch.manual_seed(0)
    train(args.epochs)
    print_predictions(predict(PREDICT_POINTS))
'''


def _torch_layers(spec: ScriptSpec) -> str:
    lines, width = [], len(spec.features)
    for h in spec.hidden:
        lines.append(f"    nn.Linear({width}, {h.units}),")
        lines.append("    " + fill(TORCH_ACTIVATION[h.activation], units=h.units) + ",")
        if h.dropout:
            lines.append(f"    nn.Dropout({number(h.dropout)}),  # inverted, as the playground's")
        width = h.units
    lines.append(f"    nn.Linear({width}, {spec.outputs}),")
    return "\n".join(lines)


def pytorch_script(spec: ScriptSpec) -> str:
    loss, targets, output = TORCH_HEAD[spec.head]
    optimizer = with_optimizer_settings(TORCH_OPTIMIZER[spec.optimizer], spec)
    body = fill(TORCH, outputs=spec.outputs, head=spec.head, layers=_torch_layers(spec),
                loss=loss, targets=targets, settings=settings_block(spec),
                optimizer=optimizer, output=output)
    note = "" if spec.optimizer == "sgd" else OPTIMIZER_NOTE
    return "".join([
        header(spec, "A Neural Playground network in PyTorch.", "playground_pytorch.py", note),
        "\nimport argparse\n\nimport numpy as np\nimport torch\nfrom torch import nn\n",
        data_block(spec), body, PRINT_PREDICTIONS, ARGUMENTS, TORCH_MAIN,
    ])


# ------------------------------------------------------------------ Keras
KERAS_ACTIVATION = {  # a Dense layer's activation, or a layer of its own after it
    "linear": ('"linear"', None), "sigmoid": ('"sigmoid"', None), "tanh": ('"tanh"', None),
    "relu": ('"relu"', None),
    # Keras's LeakyReLU slope defaults to 0.3; the playground's is 0.01
    "leaky_relu": ('"linear"', "layers.LeakyReLU(negative_slope=0.01)"),
    "prelu": ('"linear"', "layers.PReLU()"),
    "elu": ('"elu"', None), "softplus": ('"softplus"', None),
    "swish": ('"silu"', None),  # swish is also called SiLU
    # Keras's gelu is exact by default; the playground's is the tanh approximation
    "gelu": ("lambda z: keras.activations.gelu(z, approximate=True)", None),
}
KERAS_HEAD = {  # head id -> (loss, the labels as the loss takes them, output from logits)
    "sigmoid": ("keras.losses.BinaryCrossentropy(from_logits=True)", "labels.reshape(-1, 1)",
                "1.0 / (1.0 + np.exp(-logits))"),
    "softmax": ("keras.losses.CategoricalCrossentropy(from_logits=True)",
                "np.eye(OUTPUTS)[labels.astype(int)]",
                ("np.exp(logits - logits.max(axis=1, keepdims=True)) / "
                "np.exp(logits - logits.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)")),
    "one_vs_all": ("keras.losses.BinaryCrossentropy(from_logits=True)  # mean over classes too",
                   "np.eye(OUTPUTS)[labels.astype(int)]", "1.0 / (1.0 + np.exp(-logits))"),
    "linear": ("keras.losses.MeanSquaredError()", "labels.reshape(-1, 1)", "logits"),
}
KERAS_OPTIMIZER = {
    "sgd": "keras.optimizers.SGD(learning_rate=LEARNING_RATE)",
    # Keras writes momentum as v = mu v - lr g; w += v: the same steps at a fixed rate
    "momentum": "keras.optimizers.SGD(learning_rate=LEARNING_RATE, momentum=$momentum)",
    # Keras's Adam epsilon defaults to 1e-7 (the playground's and PyTorch's: 1e-8), and it
    # adds epsilon to sqrt(v) before the bias correction, not after: a hair's difference
    "adam": "keras.optimizers.Adam(learning_rate=LEARNING_RATE, beta_1=$beta1, "
            "beta_2=$beta2,\n                              epsilon=$eps)",
}
KERAS_REGULARIZER = {
    "none": "None",
    "l1": "keras.regularizers.L1(REGULARIZATION_RATE)",
    # Keras's L2(c) adds c * sum w^2; the playground's L2 is rate / 2 * sum w^2
    "l2": "keras.regularizers.L2(REGULARIZATION_RATE / 2)",
}

KERAS = '''
# ------------------------------------------------------------------------- network
# The playground computes in float64; Keras's default is float32.
keras.backend.set_floatx("float64")
OUTPUTS = $outputs
$settings
# The model gives the logits z; the head ($head) is applied by the loss while training
# and by `predict`. A Dense layer keeps W as (inputs, outputs), as the playground does;
# its random starting weights are replaced by the playground's just below.
model = keras.Sequential([
    keras.Input(shape=($inputs,)),
$layers
])
dense = [layer for layer in model.layers if isinstance(layer, layers.Dense)]
for layer, w, b in zip(dense, WEIGHTS, BIASES):
    layer.set_weights([w, b])
prelus = [layer for layer in model.layers if isinstance(layer, layers.PReLU)]
for layer, s in zip(prelus, [s for s in PRELU_SLOPES if s is not None]):
    layer.set_weights([s])

# ------------------------------------------------------------------------ training
loss_function = $loss
model.compile(optimizer=$optimizer,
              loss=loss_function)


def as_targets(labels):
    return $targets


def train(epochs):
    if epochs:  # fit shuffles the training set each epoch; dropout is on only in fit
        model.fit(features(TRAIN[:, :2]), as_targets(TRAIN[:, 2]), batch_size=BATCH_SIZE,
                  epochs=epochs, shuffle=True, verbose=2)


def predict(points):
    logits = np.asarray(model(features(points), training=False))
    return $output
'''

KERAS_MAIN = '''
if __name__ == "__main__":
    args = arguments()
    keras.utils.set_random_seed(0)
    train(args.epochs)
    print_predictions(predict(PREDICT_POINTS))
'''


def _keras_layers(spec: ScriptSpec) -> str:
    regularizer = KERAS_REGULARIZER[spec.regularization]
    lines = []
    for h in spec.hidden:
        activation, extra = KERAS_ACTIVATION[h.activation]
        lines.append(f"    layers.Dense({h.units}, activation={activation}, "
                     f"kernel_regularizer={regularizer}),")
        if extra:
            lines.append(f"    {extra},")
        if h.dropout:
            lines.append(f"    layers.Dropout({number(h.dropout)}),")
    lines.append(f"    layers.Dense({spec.outputs}, kernel_regularizer={regularizer}),  # logits")
    return "\n".join(lines)


def keras_script(spec: ScriptSpec) -> str:
    loss, targets, output = KERAS_HEAD[spec.head]
    optimizer = with_optimizer_settings(KERAS_OPTIMIZER[spec.optimizer], spec)
    body = fill(KERAS, outputs=spec.outputs, settings=settings_block(spec), head=spec.head,
                inputs=len(spec.features), layers=_keras_layers(spec), optimizer=optimizer,
                loss=loss, targets=targets, output=output)
    note = "" if spec.optimizer == "sgd" else OPTIMIZER_NOTE
    return "".join([
        header(spec, "A Neural Playground network in Keras (3, any backend).",
               "playground_keras.py", note),
        "\nimport argparse\n\nimport keras\nimport numpy as np\nfrom keras import layers\n",
        data_block(spec), body, PRINT_PREDICTIONS, ARGUMENTS, KERAS_MAIN,
    ])
