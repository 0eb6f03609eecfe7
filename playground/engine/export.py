"""A network as a script a learner can run (API.md 6.4): plain NumPy here (forward,
backward, loss, optimizer written out, the way the playground computes them), PyTorch and
Keras in export_pytorch.py and export_keras.py; the shared blocks are in script_parts.py.

Pure string building from the network's arrays: nothing here runs the network. Only the
pieces a network uses are written (its activations, its head, its optimizer), so a
script reads as the playground's network and no other.
"""

from __future__ import annotations

from .activations import ELU_ALPHA, LEAKY_SLOPE
from .export_keras import keras_script
from .export_pytorch import pytorch_script
from .script_parts import (
    ARGUMENTS,
    PRINT_PREDICTIONS,
    ScriptSpec,
    data_block,
    fill,
    header,
    number,
    settings_block,
    uses_batch_norm,
    with_optimizer_settings,
)

FORMATS = ("numpy", "pytorch", "keras")

# activation id -> (f(z, s), f'(z) given a = f(z)), as NumPy expressions; s: PReLU slopes,
# RReLU's slopes, Noisy ReLU's noise (RANDOM_CODE: drawn while training, fixed otherwise)
ACTIVATION_CODE = {
    "linear": ("z", "np.ones_like(z)"),
    "sigmoid": ("sigmoid(z)", "a * (1.0 - a)"),
    "tanh": ("np.tanh(z)", "1.0 - a * a"),
    "relu": ("np.maximum(z, 0.0)", "(z > 0.0) * 1.0"),
    "leaky_relu": (f"np.where(z > 0.0, z, {LEAKY_SLOPE!r} * z)",
                   f"np.where(z > 0.0, 1.0, {LEAKY_SLOPE!r})"),
    "prelu": ("np.where(z > 0.0, z, s * z)", "np.where(z > 0.0, 1.0, s * np.ones_like(z))"),
    "elu": (f"np.where(z > 0.0, z, {ELU_ALPHA!r} * np.expm1(np.minimum(z, 0.0)))",
            f"np.where(z > 0.0, 1.0, a + {ELU_ALPHA!r})"),
    "softplus": ("np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))", "sigmoid(z)"),
    "swish": ("z * sigmoid(z)", "sigmoid(z) + a * (1.0 - sigmoid(z))"),
    "rrelu": ("np.where(z > 0.0, z, s * z)", "np.where(z > 0.0, 1.0, s * np.ones_like(z))"),
    "noisy_relu": ("np.maximum(z + s, 0.0)", "(a > 0.0) * 1.0"),
    "gelu": ("0.5 * z * (1.0 + np.tanh(GELU_C * (z + 0.044715 * z**3)))",
             ("0.5 * (1.0 + np.tanh(GELU_C * (z + 0.044715 * z**3))) + 0.5 * z * "
             "(1.0 - np.tanh(GELU_C * (z + 0.044715 * z**3)) ** 2) * GELU_C * "
             "(1.0 + 3 * 0.044715 * z * z)")),
}

# head id -> (output(z), mean loss(z, t), d loss / d z (z, out, t), targets(labels))
HEAD_CODE = {
    "sigmoid": ("sigmoid(z)", "np.mean(np.maximum(z, 0.0) - z * t + np.log1p(np.exp(-np.abs(z))))",
                "(out - t) / len(z)", "labels.reshape(-1, 1)"),
    "softmax": ("softmax(z)", "np.mean(log_sum_exp(z) - (z * t).sum(axis=1))",
                "(out - t) / len(z)", "np.eye(OUTPUTS)[labels.astype(int)]"),
    "one_vs_all": ("sigmoid(z)",
                   "np.mean(np.maximum(z, 0.0) - z * t + np.log1p(np.exp(-np.abs(z))))",
                   "(out - t) / z.size", "np.eye(OUTPUTS)[labels.astype(int)]"),
    "linear": ("z", "np.mean((z - t) ** 2)", "2.0 * (z - t) / len(z)", "labels.reshape(-1, 1)"),
}
LOSS_NAME = {"sigmoid": "binary cross-entropy", "softmax": "categorical cross-entropy",
             "one_vs_all": "binary cross-entropy per class, averaged over the classes",
             "linear": "mean squared error"}

OPTIMIZER_CODE = {
    "sgd": '''
def make_optimizer():
    """Plain SGD: w -= lr * g."""
    def step(params, grads):
        for p, g in zip(params, grads):
            p -= LEARNING_RATE * g
    return step
''',
    "momentum": '''
MOMENTUM = $momentum


def make_optimizer():
    """SGD with momentum, as PyTorch's: v = mu * v + g; w -= lr * v."""
    velocity = None

    def step(params, grads):
        nonlocal velocity
        velocity = velocity or [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, velocity):
            v *= MOMENTUM
            v += g
            p -= LEARNING_RATE * v
    return step
''',
    "adam": '''
BETA1, BETA2, EPSILON = $beta1, $beta2, $eps


def make_optimizer():
    """Adam, as PyTorch's: running means of the gradient (m) and of its square (v),
    both corrected for starting at zero; eps added to sqrt(v_hat)."""
    m = v = None
    t = 0

    def step(params, grads):
        nonlocal m, v, t
        m = m or [np.zeros_like(p) for p in params]
        v = v or [np.zeros_like(p) for p in params]
        t += 1
        for p, g, m_p, v_p in zip(params, grads, m, v):
            m_p *= BETA1
            m_p += (1.0 - BETA1) * g
            v_p *= BETA2
            v_p += (1.0 - BETA2) * g * g
            p -= (LEARNING_RATE / (1.0 - BETA1**t)) * m_p / (
                np.sqrt(v_p) / np.sqrt(1.0 - BETA2**t) + EPSILON)
    return step
''',
}

# the activations random while training: (uniforms an element takes, its s from them,
# its s otherwise), drawn as the playground draws them, so training takes its steps
RANDOM_CODE = {
    "rrelu": ("RReLU: slopes ~ U(1/8, 1/3) while training, their mean otherwise (PyTorch's)",
              "1", "1.0 / 8.0 + (1.0 / 3.0 - 1.0 / 8.0) * u[0]", "(1.0 / 8.0 + 1.0 / 3.0) / 2.0"),
    "noisy_relu": ("Noisy ReLU: noise ~ N(0, sigma^2) while training (Box-Muller), none otherwise",
                   "2", "sigma * np.sqrt(-2.0 * np.log1p(-u[0])) * np.cos(2.0 * math.pi * u[1])",
                   "0.0"),
}

BN_FORWARD = """\
            if BATCH_NORM[l] is not None:  # BatchNorm1d, between the sum and the activation
                z, norm = batch_norm(z, BATCH_NORM[l], training=rng is not None)
"""
BN_BACKWARD = """\
        if norms[l - 1] is not None:  # back through batch norm: dL/dz, dL/dgamma, dL/dbeta
            dz, grad_n[k] = batch_norm_backward(dz, norms[l - 1], BATCH_NORM[k][0])
"""
BN_FUNCTIONS = '''
BN_EPS, BN_MOMENTUM = 1e-05, 0.1  # PyTorch's BatchNorm1d defaults, and the playground's


def batch_norm(z, values, training):
    """(z - mean) / sqrt(var + eps) * gamma + beta, unit by unit: with the batch's mean and
    variance while training (the running ones then move towards them, the variance
    unbiased, n / (n - 1) times the batch's), with the running ones otherwise."""
    gamma, beta, running_mean, running_var = values
    if training:
        n = len(z)
        mean = z.mean(axis=0)
        centred = z - mean
        var = (centred * centred).mean(axis=0)
        running_mean *= 1.0 - BN_MOMENTUM
        running_mean += BN_MOMENTUM * mean
        running_var *= 1.0 - BN_MOMENTUM
        running_var += BN_MOMENTUM * var * (n / (n - 1))
    else:
        centred, var = z - running_mean, running_var
    inv_std = 1.0 / np.sqrt(var + BN_EPS)
    z_hat = centred * inv_std
    return z_hat * gamma + beta, (z_hat, inv_std, training)


def batch_norm_backward(dy, norm, gamma):
    """dL/dz from dL/dy, and (dL/dgamma, dL/dbeta). While training the batch's mean and
    variance depend on every z of the batch, hence the two sums."""
    z_hat, inv_std, training = norm
    grads = ((dy * z_hat).sum(axis=0), dy.sum(axis=0))
    d_hat = dy * gamma
    if not training:
        return d_hat * inv_std, grads
    n = len(dy)
    return (inv_std / n) * (n * d_hat - d_hat.sum(axis=0)
                            - z_hat * (d_hat * z_hat).sum(axis=0)), grads
'''

NETWORK = '''
# ------------------------------------------------------------------------- network
HIDDEN = [  # (units, activation, dropout rate while training, Noisy ReLU's sigma)
$hidden
]
OUTPUTS = $outputs
GELU_C = math.sqrt(2.0 / math.pi)


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # 1 / (1 + e^-z), and never overflows


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def log_sum_exp(z):
    top = z.max(axis=1)
    return top + np.log(np.exp(z - top[:, None]).sum(axis=1))


# each activation: f(z, s) and its derivative f'(z, a, s) given a = f(z)
ACTIVATIONS = {
$activations
}
$random


# the head ($head) and its loss, $loss_name
def head(z):
    return $output


def loss(z, t):
    return $loss


def loss_gradient(z, out, t):
    """d(mean loss) / dz."""
    return $dlogits


def targets(labels):
    return $targets


def forward(x, weights, biases, slopes, rng=None):
    """Every layer's z and value a for a batch x (layer 0 is x itself). With `rng`, what
    is random while training: a random activation's draws, then dropout (inverted, kept
    values scaled by 1 / (1 - rate), so a prediction needs no change). `raw` is a
    layer's value before dropout, `s` what its activation took besides z."""
    zs, acts, raws, masks, ss, norms = [None], [x], [x], [None], [None], [None]
    a = x
    for l, (w, b) in enumerate(zip(weights, biases)):
        z = a @ w + b
        mask = s = norm = None
        if l == len(weights) - 1:
            a = raw = head(z)
        else:
            _, activation, rate, sigma = HIDDEN[l]
$bn_forward            s = slopes[l]
            if activation in RANDOM:
                count, draw, fixed = RANDOM[activation]
                s = draw(rng.random((count, *z.shape)), sigma) if rng is not None else fixed
            a = raw = ACTIVATIONS[activation][0](z, s)
            if rng is not None and rate > 0.0:
                mask = (rng.random(z.shape) >= rate) * (1.0 / (1.0 - rate))
                a = a * mask
        zs.append(z)
        acts.append(a)
        raws.append(raw)
        masks.append(mask)
        ss.append(s)
        norms.append(norm)
    return zs, acts, raws, masks, ss, norms


def backward(zs, acts, raws, masks, ss, norms, t, weights, slopes):
    """Gradients of the batch's mean loss: dL/dW_l = a_l^T dz_(l+1), dL/db_l = the sum
    of dz_(l+1) over the batch, dz_l = (dz_(l+1) W_l^T) * mask * f'(z_l)."""
    depth = len(weights)
    dz = loss_gradient(zs[depth], acts[depth], t)
    grad_w, grad_b = [None] * depth, [None] * depth
    grad_s, grad_n = [None] * (depth - 1), [None] * (depth - 1)
    for l in range(depth, 0, -1):
        grad_w[l - 1] = acts[l - 1].T @ dz
        grad_b[l - 1] = dz.sum(axis=0)
        if l == 1:
            break
        da = dz @ weights[l - 1].T
        if masks[l - 1] is not None:
            da = da * masks[l - 1]
        k = l - 2  # the hidden layer's index
        activation = HIDDEN[k][1]
        if activation == "prelu":  # d prelu / d s = min(z, 0)
            grad_s[k] = (da * np.minimum(zs[l - 1], 0.0)).sum(axis=0)
        dz = da * ACTIVATIONS[activation][1](zs[l - 1], raws[l - 1], ss[l - 1])
$bn_backward
    return grad_w, grad_b, grad_s, grad_n


def penalty_gradient(w):
    """d(regularization) / dw: L1 is rate * sum|w|, L2 rate / 2 * sum w^2."""
    if REGULARIZATION == "l1":
        return REGULARIZATION_RATE * np.sign(w)
    if REGULARIZATION == "l2":
        return REGULARIZATION_RATE * w
    return 0.0
'''

TRAIN_AND_PREDICT = '''
def train(epochs, rng):
    """Mini-batch training: each epoch a fresh shuffle (none when one batch holds all)."""
    x, t = features(TRAIN[:, :2]), targets(TRAIN[:, 2])
    x_test, t_test = features(TEST[:, :2]), targets(TEST[:, 2])
    params = WEIGHTS + BIASES + [s for s in PRELU_SLOPES if s is not None]
    params += [p for norm in BATCH_NORM if norm is not None for p in norm[:2]]  # gamma, beta
    step = make_optimizer()
    n = len(x)
    for epoch in range(epochs):
        order = rng.permutation(n) if BATCH_SIZE < n else np.arange(n)
        for start in range(0, n, BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            cache = forward(x[batch], WEIGHTS, BIASES, PRELU_SLOPES, rng)
            grad_w, grad_b, grad_s, grad_n = backward(*cache, t[batch], WEIGHTS, PRELU_SLOPES)
            grad_w = [g + penalty_gradient(w) for g, w in zip(grad_w, WEIGHTS)]
            step(params, grad_w + grad_b + [g for g in grad_s if g is not None]
                 + [g for pair in grad_n if pair is not None for g in pair])
        train_loss = loss(forward(x, WEIGHTS, BIASES, PRELU_SLOPES)[0][-1], t)
        test_loss = loss(forward(x_test, WEIGHTS, BIASES, PRELU_SLOPES)[0][-1], t_test)
        print(f"# epoch {epoch + 1}: training loss {train_loss:.6f}, test loss {test_loss:.6f}")
'''

MAIN = '''

if __name__ == "__main__":
    args = arguments()
    train(args.epochs, np.random.default_rng(0))
    outputs = forward(features(PREDICT_POINTS), WEIGHTS, BIASES, PRELU_SLOPES)[1][-1]
    print_predictions(outputs)
'''


def script(spec: ScriptSpec, fmt: str) -> str:
    """The runnable script of `spec` for one of FORMATS."""
    return {"numpy": numpy_script, "pytorch": pytorch_script, "keras": keras_script}[fmt](spec)


def numpy_script(spec: ScriptSpec) -> str:
    used = dict.fromkeys(h.activation for h in spec.hidden)
    activations = "\n".join(f'    "{a}": (lambda z, s: {ACTIVATION_CODE[a][0]},\n'
                            f'        lambda z, a, s: {ACTIVATION_CODE[a][1]}),' for a in used)
    output, loss, dlogits, targets = HEAD_CODE[spec.head]
    randoms = [a for a in used if a in RANDOM_CODE]
    random = "\n".join(f'    # {RANDOM_CODE[a][0]}\n'
                       f'    "{a}": ({RANDOM_CODE[a][1]}, lambda u, sigma: {RANDOM_CODE[a][2]},\n'
                       f'        {RANDOM_CODE[a][3]}),' for a in randoms)
    random = (f"RANDOM = {{  # random while training: (uniforms each, draw, s otherwise)\n"
              f"{random}\n}}" if randoms else "RANDOM = {}  # no activation here is random")
    network = fill(NETWORK, hidden="\n".join(f'    ({h.units}, "{h.activation}", '
                                             f'{number(h.dropout)}, {number(h.noise_sigma)}),'
                                             for h in spec.hidden),
                   random=random + (BN_FUNCTIONS if uses_batch_norm(spec) else ""),
                   bn_forward=BN_FORWARD if uses_batch_norm(spec) else "",
                   bn_backward=BN_BACKWARD if uses_batch_norm(spec) else "",
                   outputs=spec.outputs, activations=activations, head=spec.head,
                   loss_name=LOSS_NAME[spec.head], output=output, loss=loss,
                   dlogits=dlogits, targets=targets)
    optimizer = with_optimizer_settings(OPTIMIZER_CODE[spec.optimizer], spec)
    return "".join([
        header(spec, "A Neural Playground network in plain NumPy.", "playground_numpy.py"),
        "\nimport argparse\nimport math\n\nimport numpy as np\n",
        data_block(spec), network,
        "\n# ------------------------------------------------------------------------ training\n",
        settings_block(spec), optimizer, TRAIN_AND_PREDICT, PRINT_PREDICTIONS, ARGUMENTS, MAIN,
    ])
