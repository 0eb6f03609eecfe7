"""The PyTorch script of a network (export.py has the NumPy one and says what a script
is): PyTorch's own model, the playground's parameters copied into it, training on the
batches the NumPy script draws, and comments, beside the line concerned, where PyTorch's
defaults differ from the playground (each table's note is written above its code, only
for what the network uses, once each).
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

# ------------------------------------------------------------------ PyTorch
TORCH_ACTIVATION = {  # id -> (the layer, a note where PyTorch's default is not the playground's)
    "linear": ("nn.Identity()", None),
    "sigmoid": ("nn.Sigmoid()", None),
    "tanh": ("nn.Tanh()", None),
    "relu": ("nn.ReLU()", None),
    "leaky_relu": ("nn.LeakyReLU(0.01)", None),
    "prelu": ("nn.PReLU($units)",
              ("PReLU: one learned slope per unit, as in the playground (PyTorch's default\n"
               "is one slope for the whole layer); the slopes are set below")),
    "elu": ("nn.ELU()", None),
    "softplus": ("nn.Softplus(threshold=40.0)",
                 ("PyTorch's Softplus returns z itself once z > threshold, by default 20,\n"
                  "off there by up to log(1 + e^-20) = 2e-9; at 40 the difference is below\n"
                  "what float64 can tell")),
    "swish": ("nn.SiLU()", "swish, z * sigmoid(z), is PyTorch's SiLU"),
    "gelu": ('nn.GELU(approximate="tanh")',
             "the playground's GELU is the tanh approximation; PyTorch's default is exact"),
    "rrelu": ("nn.RReLU(1.0 / 8.0, 1.0 / 3.0)",
              ("RReLU: slopes ~ U(1/8, 1/3) while training, their mean 11/48 otherwise, as\n"
               "the playground's; PyTorch draws them from its own generator, so training\n"
               "takes other random steps than the playground's")),
    "noisy_relu": ("NoisyReLU($sigma)",
                   ("Noisy ReLU, max(0, z + N(0, sigma^2)) while training and max(0, z)\n"
                    "otherwise: PyTorch has none, so the script defines it (above); its noise\n"
                    "comes from PyTorch's generator, not the playground's")),
}
# the activations PyTorch lacks, written as modules of the script's own
TORCH_MODULES = {
    "noisy_relu": '''

class NoisyReLU(nn.Module):
    """max(0, z + n), n ~ N(0, sigma^2) per element while training; max(0, z) otherwise."""

    def __init__(self, sigma):
        super().__init__()
        self.sigma = sigma

    def forward(self, z):
        if self.training:
            z = z + self.sigma * torch.randn_like(z)
        return torch.relu(z)
''',
}
TORCH_HEAD = {  # head id -> (loss, the labels as the loss takes them, output from logits z)
    "sigmoid": ("nn.BCEWithLogitsLoss()  # sigmoid and cross-entropy in one, overflow-free",
                "torch.from_numpy(labels).reshape(-1, 1)", "torch.sigmoid(z)"),
    "softmax": ("nn.CrossEntropyLoss()  # softmax and cross-entropy in one: it takes logits",
                "torch.from_numpy(labels).long()  # the class numbers, not one-hot",
                "torch.softmax(z, dim=1)"),
    "one_vs_all": ("nn.BCEWithLogitsLoss()  # the mean over examples and classes",
                   "nn.functional.one_hot(torch.from_numpy(labels).long(), OUTPUTS).double()",
                   "torch.sigmoid(z)"),
    "linear": ("nn.MSELoss()", "torch.from_numpy(labels).reshape(-1, 1)", "z"),
}
TORCH_OPTIMIZER = {  # id -> (the optimizer, a note)
    "sgd": ("torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)", None),
    "momentum": (
        "torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=$momentum)",
        ("PyTorch's momentum, as the playground's: v = mu v + g; w -= lr v. Keras and many\n"
         "textbooks write v = mu v - lr g; w += v: the same steps while lr stays fixed.")),
    "adam": (
        ("torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=($beta1, $beta2),\n"
         "                             eps=$eps)"),
        ("PyTorch's Adam with its defaults, which are the playground's: eps is added to\n"
         "sqrt(v_hat), after the bias correction.")),
}

TORCH = '''
# ------------------------------------------------------------------------- network
# The playground computes in float64. PyTorch's default is float32, which agrees with it
# to about 7 digits only: from here on every tensor and layer is float64.
torch.set_default_dtype(torch.float64)
OUTPUTS = $outputs

# The model gives the logits z; the head ($head) is applied by the loss while training
# and by `predict`. nn.Linear starts from its own random weights (Kaiming-uniform):
# they are replaced by the playground's just below.
model = nn.Sequential(
$layers
)
linears = [m for m in model if isinstance(m, nn.Linear)]
with torch.no_grad():  # copying, not a computation to learn from
    for layer, w, b in zip(linears, WEIGHTS, BIASES):
        # nn.Linear keeps W as (outputs, inputs) and computes x @ W.T + b: the transpose
        layer.weight.copy_(torch.from_numpy(w.T))
        layer.bias.copy_(torch.from_numpy(b))
$copy_slopes$copy_norms
loss_function = $loss


def as_targets(labels):
    return $targets


def penalty():
    """The regularization on the weights (never the biases): L1 rate * sum|w|, L2
    rate / 2 * sum w^2. PyTorch's `weight_decay=rate` is this L2 (it adds rate * w to the
    gradient, with Adam too; AdamW is the one that decays otherwise), but on every
    parameter it is given, biases included: hence the penalty written out here."""
    weights = [layer.weight for layer in linears]
    if REGULARIZATION == "l1":
        return REGULARIZATION_RATE * sum(w.abs().sum() for w in weights)
    if REGULARIZATION == "l2":
        return REGULARIZATION_RATE / 2 * sum((w * w).sum() for w in weights)
    return 0.0


# ------------------------------------------------------------------------ training
$settings
${optimizer_note}\
optimizer = $optimizer


def mean_loss(x, t):
    """The data loss over a whole set (no penalty, no dropout), as the playground shows it."""
    model.eval()
    with torch.no_grad():
        return loss_function(model(x), t).item()


def train(epochs, rng):
    """Mini-batch training, batch by batch as the NumPy script trains: each epoch a fresh
    shuffle drawn from `rng` (none when one batch holds all the data, as in the
    playground), so without dropout both scripts take the same steps."""
    x, t = torch.from_numpy(features(TRAIN[:, :2])), as_targets(TRAIN[:, 2])
    x_test, t_test = torch.from_numpy(features(TEST[:, :2])), as_targets(TEST[:, 2])
    n = len(x)
    for epoch in range(epochs):
        order = torch.from_numpy(rng.permutation(n) if BATCH_SIZE < n else np.arange(n))
        model.train()  # dropout on
        for start in range(0, n, BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            optimizer.zero_grad()  # PyTorch adds gradients up until they are cleared
            loss = loss_function(model(x[batch]), t[batch]) + penalty()
            loss.backward()
            optimizer.step()
        print(f"# epoch {epoch + 1}: training loss {mean_loss(x, t):.6f}, "
              f"test loss {mean_loss(x_test, t_test):.6f}")


def predict(points):
    """The head's outputs for points (n, 2), dropout off."""
    model.eval()
    with torch.no_grad():
        z = model(torch.from_numpy(features(points)))
        return $output.numpy()
'''

TORCH_SLOPES = '''\
    prelus = [m for m in model if isinstance(m, nn.PReLU)]
    for layer, s in zip(prelus, [s for s in PRELU_SLOPES if s is not None]):
        layer.weight.copy_(torch.from_numpy(s))
'''

TORCH_NORMS = '''\
    norms = [m for m in model if isinstance(m, nn.BatchNorm1d)]
    for layer, (gamma, beta, mean, var) in zip(norms, [n for n in BATCH_NORM if n is not None]):
        layer.weight.copy_(torch.from_numpy(gamma))
        layer.bias.copy_(torch.from_numpy(beta))
        layer.running_mean.copy_(torch.from_numpy(mean))
        layer.running_var.copy_(torch.from_numpy(var))
'''

TORCH_MAIN = '''

if __name__ == "__main__":
    args = arguments()
    torch.manual_seed(0)  # dropout's masks
    train(args.epochs, np.random.default_rng(0))  # the batches: the NumPy script's generator
    print_predictions(predict(PREDICT_POINTS))
'''


def _torch_layers(spec: ScriptSpec) -> str:
    lines, width, noted = [], len(spec.features), set()
    for h in spec.hidden:
        layer, note = TORCH_ACTIVATION[h.activation]
        lines.append(f"    nn.Linear({width}, {h.units}),")
        if h.batch_norm is not None:
            lines.append(f"    nn.BatchNorm1d({h.units}),  # eps 1e-5, momentum 0.1: the "
                         "playground's")
        if h.activation not in noted:
            lines.append(comment(note, "    ").rstrip("\n"))
            noted.add(h.activation)
        lines.append("    " + fill(layer, units=h.units, sigma=number(h.noise_sigma)) + ",")
        if h.dropout:
            lines.append(f"    nn.Dropout({number(h.dropout)}),  # inverted, as the playground's")
        width = h.units
    lines.append(f"    nn.Linear({width}, {spec.outputs}),  # the logits")
    return "\n".join(line for line in lines if line)


def _torch_modules(spec: ScriptSpec) -> str:
    """The modules of the script's own that the network uses."""
    used = [a for a in dict.fromkeys(h.activation for h in spec.hidden) if a in TORCH_MODULES]
    return "".join(TORCH_MODULES[a] for a in used)


def pytorch_script(spec: ScriptSpec) -> str:
    loss, targets, output = TORCH_HEAD[spec.head]
    optimizer, optimizer_note = TORCH_OPTIMIZER[spec.optimizer]
    body = fill(TORCH, outputs=spec.outputs, head=spec.head, layers=_torch_layers(spec),
                copy_slopes=TORCH_SLOPES if uses_prelu(spec) else "",
                copy_norms=TORCH_NORMS if uses_batch_norm(spec) else "", loss=loss,
                targets=targets, settings=settings_block(spec),
                optimizer_note=comment(optimizer_note),
                optimizer=with_optimizer_settings(optimizer, spec), output=output)
    return "".join([
        header(spec, "A Neural Playground network in PyTorch.", "playground_pytorch.py"),
        "\nimport argparse\n\nimport numpy as np\nimport torch\nfrom torch import nn\n",
        data_block(spec), _torch_modules(spec), body, PRINT_PREDICTIONS, ARGUMENTS, TORCH_MAIN,
    ])
