"""The compiled engine's arithmetic: Numba kernels for a run of training steps and for the
forward pass of a set or grid. `kernels.py` decides when they run and what they get;
`nn.py` and `training.py` stay the readable NumPy reference.

One file on purpose: Numba's on-disk cache checks only the source file of the function
called, so a kernel calling into another file would run stale code after that file
changed. So too the codes below are literals, and every tunable number (leaky slope,
Adam's betas, ...) is an argument, never a global frozen at compile time.

Parameters are padded to P (the widest layer, rounded up to a multiple of 4): Q = [W (L,
P, P) | B (L, P) | S (L-1, P) | G (L-1, P) | C (L-1, P)], weights[l][i, j] at W[l, i, j],
biases[l] at B[l], hidden layer h's PReLU slopes at S[h], its batch norm's gamma and beta
at G[h] and C[h] (G and C only when some layer has batch norm), zeros elsewhere; node
values are (L+1, rows, P) arrays, layer l's at [l, :rows, :sizes[l]]: A values passed on,
Z pre-activations (after batch norm where there is one), H values before dropout, M
dropout masks, D dL/dz, N batch norm's normalized sums. Fixed shapes indexed by loop counters keep the loops
tight (per-layer views or offsets into theta were 2-3x slower). Padding stays zero through
every update (zero gradient, penalty and state): the optimizer runs over Q as one vector.
`net` (from `kernels.plan`): int64 sizes (L+1,), codes (L,) (layer l+1's activation code,
the last one the head's), where (len(theta),) (the place in Q of each entry of theta and
of the optimizer's state), norms (L-1,) (1 where hidden layer h has batch norm); `rates` (2, L-1): the hidden layers' dropout rates, then their
Noisy ReLU sigmas. R (L+1, rows, P) holds what RReLU (its slopes) and Noisy ReLU (its
noise) drew per element in training; in evaluation they take a fixed row E (P,). Batch
norm's running statistics are `stats` (2, L-1, P): means, then variances, moved in place
by training steps as batch_norm.py moves them; IS (L+1, P) holds each layer's 1/sqrt(var +
eps) as the forward pass used it.
"""

from __future__ import annotations

import math

import numpy as np
from numba import literal_unroll, njit

OPTIONS = {"cache": True, "nogil": True, "fastmath": False, "error_model": "numpy"}
# error_model="numpy": a division by zero gives inf or NaN (for the divergence guard to
# see), as in NumPy, instead of raising ZeroDivisionError inside a kernel.

# Hidden activations (`codes[l]` for l < L-1).
LINEAR, SIGMOID, TANH, RELU, LEAKY_RELU, PRELU, ELU, SOFTPLUS, SWISH, GELU, RRELU, \
    NOISY_RELU = range(12)
ACTIVATION_CODES = {"linear": LINEAR, "sigmoid": SIGMOID, "tanh": TANH, "relu": RELU,
                    "leaky_relu": LEAKY_RELU, "prelu": PRELU, "elu": ELU,
                    "softplus": SOFTPLUS, "swish": SWISH, "gelu": GELU, "rrelu": RRELU,
                    "noisy_relu": NOISY_RELU}
# Heads (`codes[L-1]`).
HEAD_SIGMOID, HEAD_SOFTMAX, HEAD_ONE_VS_ALL, HEAD_LINEAR = range(4)
HEAD_CODES = {"sigmoid": HEAD_SIGMOID, "softmax": HEAD_SOFTMAX,
              "one_vs_all": HEAD_ONE_VS_ALL, "linear": HEAD_LINEAR}
SGD, MOMENTUM, ADAM = range(3)
OPTIMIZER_CODES = {"sgd": SGD, "momentum": MOMENTUM, "adam": ADAM}
REG_NONE, REG_L1, REG_L2 = range(3)
REGULARIZER_CODES = {"none": REG_NONE, "l1": REG_L1, "l2": REG_L2}
_CODES = tuple(range(len(ACTIVATION_CODES)))
# consts: the activations' numbers, in this order
LEAKY, ELU_A, GELU_C, GELU_K, RRELU_LO, RRELU_HI, RRELU_MEAN, BN_EPS, BN_MOMENTUM = range(9)
# h: the step's numbers, in this order
LR, REG_RATE, MU, BETA1, BETA2, EPS = range(6)
# settings: the step's choices, in this order
OPTIMIZER, REGULARIZER, BATCH_SIZE, T_MIXED = range(4)


_LOG2E, _LN2_HI, _LN2_LO = 1.4426950408889634, 6.93145751953125e-1, 1.42860682030941723212e-6
_EXP_TAYLOR = tuple(1.0 / math.factorial(n) for n in range(13, -1, -1))
_TANH_P = (-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3)
_TANH_Q = (1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3)


@njit(inline="always", **OPTIONS)
def _tanh(x):
    """tanh with no libm call, so that loops of it vectorize (glibc's tanh, through expm1,
    was a third of a DEFAULT step; this is 6x faster), within 2 ulp of np.tanh: Cephes'
    rational form below 0.625, else 1 - 2/(e^2|x| + 1), e^y = 2^n e^r with |r| <= ln2/2
    and e^r summed to r^13 (error < 1e-17); tanh(20) is 1.0 in double precision."""
    a = min(abs(x), 20.0)
    n = np.floor(2.0 * a * _LOG2E + 0.5)
    r = (2.0 * a - n * _LN2_HI) - n * _LN2_LO
    e = 0.0
    for c in _EXP_TAYLOR:
        e = e * r + c
    big = 1.0 - 2.0 / (e * float(1 << int(n)) + 1.0)
    s = x * x
    p, q = _TANH_P, _TANH_Q
    small = x + x * s * (((p[0] * s + p[1]) * s + p[2]) / (((s + q[0]) * s + q[1]) * s + q[2]))
    out = small if a < 0.625 else (big if x > 0.0 else -big)
    return x if np.isnan(x) else out


@njit(inline="always", **OPTIONS)
def _sigmoid(z):
    return 0.5 * (1.0 + _tanh(0.5 * z))


@njit(inline="always", **OPTIONS)
def _tanh_arg(code, z, k):
    """What the tanh-based rules take the tanh of: z (tanh), z/2 (sigmoid, swish, softplus'),
    sqrt(2/pi) (z + 0.044715 z^3) (gelu)."""
    return z if code == TANH else (k[GELU_C] * (z + k[GELU_K] * z**3) if code == GELU else 0.5 * z)


@njit(inline="always", **OPTIONS)
def activation(code, z, t, s, k):
    """f(z) of one element; t: tanh(_tanh_arg(z)) for the rules built on it; s: the unit's
    PReLU slope, the element's RReLU slope or Noisy ReLU noise; k: consts (LEAKY, ...)."""
    if code == TANH:
        return t
    if code == RELU:
        return z if z > 0.0 or np.isnan(z) else 0.0  # NaN stays NaN, as in np.maximum
    if code == LINEAR:
        return z
    if code == SIGMOID:
        return 0.5 * (1.0 + t)
    if code == LEAKY_RELU:
        return z if z > 0.0 else k[LEAKY] * z
    if code == PRELU or code == RRELU:
        return z if z > 0.0 else s * z
    if code == NOISY_RELU:
        y = z + s
        return y if y > 0.0 or np.isnan(y) else 0.0
    if code == ELU:
        return z if z > 0.0 else k[ELU_A] * np.expm1(z)
    if code == SOFTPLUS:
        return max(z, 0.0) + np.log1p(np.exp(-abs(z)))
    if code == SWISH:
        return z * (0.5 * (1.0 + t))
    return 0.5 * z * (1.0 + t)  # GELU, tanh approximation


@njit(inline="always", **OPTIONS)
def activation_grad(code, z, a, t, s, k):
    """f'(z) of one element, given a = f(z) (cheaper for sigmoid, tanh, elu, swish) and t as
    in `activation` for the derivatives built on a tanh (softplus, swish, gelu)."""
    if code == TANH:
        return 1.0 - a * a
    if code == RELU or code == NOISY_RELU:
        return 1.0 if a > 0.0 else (a if np.isnan(a) else 0.0)  # np.sign(a) (a >= 0 or NaN)
    if code == LINEAR:
        return 1.0
    if code == SIGMOID:
        return a * (1.0 - a)
    if code == LEAKY_RELU:
        return 1.0 if z > 0.0 else k[LEAKY]
    if code == PRELU or code == RRELU:
        return 1.0 if z > 0.0 else s
    if code == ELU:
        return 1.0 if z > 0.0 else a + k[ELU_A]
    if code == SOFTPLUS:
        return 0.5 * (1.0 + t)
    if code == SWISH:
        return 0.5 * (1.0 + t) + a * (1.0 - 0.5 * (1.0 + t))
    return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * k[GELU_C] * (1.0 + 3.0 * k[GELU_K] * z * z)


# Over [start, stop) of flat node buffers: a layer's rows x P block, padding included (f(0)
# is finite, padding never read), so that the loops vectorize. First the tanh a rule needs,
# one loop for all codes (a tanh inlined in each code's rules doubled the compile time);
# then a copy of the rule's loop per code (literal_unroll) knowing its code at compile
# time (a dispatch per element cost 5 us a MAX step). s: the layer's PReLU slopes (P,), or
# RReLU's and Noisy ReLU's parameters: per element (rows x P, drawn) or per unit (P,).
@njit(inline="always", **OPTIONS)
def _tanh_pass(code, z, t, k):
    for p in range(z.shape[0]):
        t[p] = _tanh(_tanh_arg(code, z[p], k))


@njit(**OPTIONS)
def activate(code, z, out, start, stop, s, k):
    """out = f(z) over [start, stop)."""
    z, out = z[start:stop], out[start:stop]  # indices from 0: no negative-index checks
    if code == TANH or code == SIGMOID or code == SWISH or code == GELU:
        _tanh_pass(code, z, out, k)
    for c in literal_unroll(_CODES):
        if code == c:
            for p in range(stop - start):
                slope = s[p % s.shape[0]] if c == PRELU or c == RRELU or c == NOISY_RELU \
                    else 0.0
                out[p] = activation(c, z[p], out[p], slope, k)


@njit(**OPTIONS)
def times_grad(code, z, a, d, t, start, stop, s, k):
    """d *= f'(z) over [start, stop), given a = f(z); t: scratch for the tanh."""
    z, a, d, t = z[start:stop], a[start:stop], d[start:stop], t[: stop - start]
    if code == SOFTPLUS or code == SWISH or code == GELU:
        _tanh_pass(code, z, t, k)
    for c in literal_unroll(_CODES):
        if code == c:
            for p in range(stop - start):
                slope = s[p % s.shape[0]] if c == PRELU or c == RRELU or c == NOISY_RELU \
                    else 0.0
                d[p] *= activation_grad(c, z[p], a[p], t[p], slope, k)


# The products, summed in registers over tiles of 2 x 4 outputs: 8 independent sums whose
# adds overlap, 4 adjacent columns that LLVM's SLP vectorizer turns into vector code
# (without fastmath: the scalar code's rounding). Tiles run over the padding (zero weights:
# zero outputs); an odd last row is clamped, computed twice identically.
@njit(**OPTIONS)
def product(X, lx, W, lw, B, Z, lz, rows, n_in, n_out):
    """Z[lz] = X[lx] @ W[lw] + B[lw] over rows x n_out outputs: the forward pass
    (A[l] -> Z[l+1] through weights l) and dL/da (D[l] -> D[l-1] through the transposed
    weights of layer l-1, zero bias)."""
    for r0 in range(0, rows, 2):
        x_row, y_row = X[lx, r0], X[lx, min(r0 + 1, rows - 1)]
        z_row, v_row = Z[lz, r0], Z[lz, min(r0 + 1, rows - 1)]
        for j in range(0, n_out, 4):
            a0 = a1 = a2 = a3 = b0 = b1 = b2 = b3 = 0.0
            for q in range(n_in):
                x, y, w = x_row[q], y_row[q], W[lw, q, j : j + 4]
                a0, a1, a2, a3 = a0 + x * w[0], a1 + x * w[1], a2 + x * w[2], a3 + x * w[3]
                b0, b1, b2, b3 = b0 + y * w[0], b1 + y * w[1], b2 + y * w[2], b3 + y * w[3]
            c, z, v = B[lw, j : j + 4], z_row[j : j + 4], v_row[j : j + 4]
            z[0], z[1], z[2], z[3] = a0 + c[0], a1 + c[1], a2 + c[2], a3 + c[3]
            v[0], v[1], v[2], v[3] = b0 + c[0], b1 + c[1], b2 + c[2], b3 + c[3]


@njit(**OPTIONS)
def weight_grad(A, D, G, l, rows, fi, fo):
    """G[l-1] = A[l-1]^T @ D[l] over fi x fo outputs: dL/dW of layer l - 1."""
    for i0 in range(0, fi, 2):
        i1 = min(i0 + 1, fi - 1)
        for j in range(0, fo, 4):
            a0 = a1 = a2 = a3 = b0 = b1 = b2 = b3 = 0.0
            for r in range(rows):
                x, y, d = A[l - 1, r, i0], A[l - 1, r, i1], D[l, r, j : j + 4]
                a0, a1, a2, a3 = a0 + x * d[0], a1 + x * d[1], a2 + x * d[2], a3 + x * d[3]
                b0, b1, b2, b3 = b0 + y * d[0], b1 + y * d[1], b2 + y * d[2], b3 + y * d[3]
            z, v = G[l - 1, i0, j : j + 4], G[l - 1, i1, j : j + 4]
            z[0], z[1], z[2], z[3] = a0, a1, a2, a3
            v[0], v[1], v[2], v[3] = b0, b1, b2, b3


@njit(inline="always", **OPTIONS)
def split(Q, depth, width):
    """The views W (L, P, P), B (L, P), S, G and C (max(L-1, 1), P; G and C (0, P) without
    batch norm) of a padded vector Q."""
    nw, nb, ns = depth * width * width, depth * width, max(depth - 1, 1) * width
    rest = Q[nw + nb :]
    return (Q[:nw].reshape(depth, width, width), Q[nw : nw + nb].reshape(depth, width),
            rest[:ns].reshape(-1, width), rest[ns : 2 * ns].reshape(-1, width),
            rest[2 * ns : 3 * ns].reshape(-1, width))


@njit(inline="always", **OPTIONS)
def _random_rows(code):
    return code == RRELU or code == NOISY_RELU


@njit(inline="always", **OPTIONS)
def layer_param(code, h, S, R, E, start, stop, train):
    """What hidden layer h's activation takes beyond z (see `activate`): RReLU's and Noisy
    ReLU's draws in training (R's block), E otherwise; the PReLU slopes S[h] else."""
    if _random_rows(code):
        return R.reshape(R.size)[start:stop] if train else E
    return S[h]


@njit(inline="always", **OPTIONS)
def draw(code, R, l, rows, fo, sigma, k, uniforms, u):
    """RReLU's slopes (one uniform each) or Noisy ReLU's noise (two: Box-Muller) for layer
    l's rows x fo elements, from uniforms[u:], written as activations.py computes them;
    returns the position after the draws."""
    count = rows * fo
    for r in range(rows):
        for j in range(fo):
            e = u + r * fo + j
            if code == RRELU:
                R[l, r, j] = k[RRELU_LO] + (k[RRELU_HI] - k[RRELU_LO]) * uniforms[e]
            else:
                radius = np.sqrt(-2.0 * np.log1p(-uniforms[e]))
                R[l, r, j] = sigma * radius * np.cos(2.0 * math.pi * uniforms[e + count])
    return u + count * (1 if code == RRELU else 2)


@njit(inline="always", **OPTIONS)
def normalize(Z, l, h, G, C, norm, k, rows, fo, train):
    """Batch norm of layer l's sums Z[l, :rows, :fo] in place (hidden layer h), as
    batch_norm.bn_forward computes it: the batch's mean and biased variance in training
    (moving the running statistics), the running ones otherwise; N[l] keeps the normalized
    sums when N has room (training, a set's measure), IS[l] 1/sqrt(var + eps)."""
    stats, N, IS = norm
    keep = N.shape[1] >= rows
    for j in range(fo):
        if train:
            mean = 0.0
            for r in range(rows):
                mean += Z[l, r, j]
            mean /= rows
            var = 0.0
            for r in range(rows):
                c = Z[l, r, j] - mean
                var += c * c
            var /= rows
            mom = k[BN_MOMENTUM]
            stats[0, h, j] = stats[0, h, j] * (1.0 - mom) + mom * mean
            unbiased = rows / (rows - 1.0) if rows > 1 else 1.0
            stats[1, h, j] = stats[1, h, j] * (1.0 - mom) + mom * var * unbiased
        else:
            mean, var = stats[0, h, j], stats[1, h, j]
        inv_std = 1.0 / np.sqrt(var + k[BN_EPS])
        IS[l, j] = inv_std
        gamma, beta = G[h, j], C[h, j]
        for r in range(rows):
            z_hat = (Z[l, r, j] - mean) * inv_std
            if keep:
                N[l, r, j] = z_hat
            Z[l, r, j] = z_hat * gamma + beta


@njit(inline="always", **OPTIONS)
def normalize_grad(D, l, h, G, GG, GC, norm, rows, fi, train):
    """D[l] (dL/dy) becomes dL/dz through layer l's batch norm (hidden layer h); dL/dgamma
    and dL/dbeta into GG[h] and GC[h], as batch_norm.bn_backward computes them."""
    _, N, IS = norm
    for i in range(fi):
        gamma, inv_std = G[h, i], IS[l, i]
        d_gamma = d_beta = sum_hat = sum_hat_z = 0.0
        for r in range(rows):
            dy, z_hat = D[l, r, i], N[l, r, i]
            d_gamma += dy * z_hat
            d_beta += dy
            d_hat = dy * gamma
            sum_hat += d_hat
            sum_hat_z += d_hat * z_hat
        GG[h, i], GC[h, i] = d_gamma, d_beta
        scale = inv_std / rows
        for r in range(rows):
            d_hat = D[l, r, i] * gamma
            D[l, r, i] = scale * (rows * d_hat - sum_hat - N[l, r, i] * sum_hat_z) if train \
                else d_hat * inv_std


@njit(inline="always", **OPTIONS)
def forward(params, net, rates, k, A, Z, H, M, R, E, norm, flat, rows, uniforms, u, train):
    """Every layer's values for the examples in A[0, :rows]; params: split(Q); flat: flat
    views of (A, Z, H, D) and a scratch block, made once per call (reshapes call C). With `train`,
    batch norm on the batch's statistics, RReLU's and Noisy ReLU's draws, then inverted
    dropout (mask = (uniform >= rate) / (1 - rate)), layer by layer, from `uniforms` from
    position u on; returns the position after the draws. E (P,): scratch for the evaluation
    row of RReLU and Noisy ReLU; norm: (stats, N, IS) for `normalize`."""
    (W, B, S, G, C), (a_flat, z_flat, h_flat, _, _) = params, flat
    sizes, codes, norms = net[0], net[1], net[3]
    depth, block = sizes.shape[0] - 1, A.shape[1] * A.shape[2]
    for l in range(depth):
        fi, fo, code = sizes[l], sizes[l + 1], codes[l]
        product(A, l, W, l, B, Z, l + 1, rows, fi, fo)
        if l == depth - 1:
            for r in range(rows):
                if code == HEAD_SOFTMAX:  # shifted by the row's max: no overflow
                    top = Z[depth, r, 0]
                    for j in range(1, fo):
                        top = max(top, Z[depth, r, j])
                    total = 0.0
                    for j in range(fo):
                        A[depth, r, j] = np.exp(Z[depth, r, j] - top)
                        total += A[depth, r, j]
                    for j in range(fo):
                        A[depth, r, j] /= total
                else:
                    for j in range(fo):
                        z = Z[depth, r, j]
                        A[depth, r, j] = z if code == HEAD_LINEAR else _sigmoid(z)
            break
        if norms[l]:
            normalize(Z, l + 1, l, G, C, norm, k, rows, fo, train)
        rate = rates[0, l]
        dropped = train and rate > 0.0
        start = (l + 1) * block
        stop = start + rows * A.shape[2]
        if _random_rows(code):
            if train:
                u = draw(code, R, l + 1, rows, fo, rates[1, l], k, uniforms, u)
            else:
                E[:] = k[RRELU_MEAN] if code == RRELU else 0.0
        activate(code, z_flat, h_flat if dropped else a_flat, start, stop,
                 layer_param(code, l, S, R, E, start, stop, train), k)
        if dropped:
            scale = 1.0 / (1.0 - rate)
            for r in range(rows):
                for j in range(fo):
                    M[l + 1, r, j] = scale if uniforms[u] >= rate else 0.0
                    A[l + 1, r, j] = H[l + 1, r, j] * M[l + 1, r, j]
                    u += 1
    return u


@njit(inline="always", **OPTIONS)
def backward(params, grads, net, rates, k, A, Z, H, M, R, E, norm, D, flat, T, WT, B0, rows,
             train):
    """Gradients of the batch's mean data loss into grads = split(G); WT (L, P, P) and zero
    B0 (L, P): scratch for the transposed weights.

    Output: dL/dz = (p - t)/n, (p - t)/(n K) for one-vs-all, 2 (z - t)/n for MSE (heads.py
    derives them beside each loss). Then dW_l = a_l^T dz_l+1, db_l = column sums of
    dz_l+1, dz_l = (dz_l+1 W_l^T) * mask_l * f'(z_l), then through batch norm where there
    is one; PReLU: ds = sum over rows of da * min(z, 0). R, E, norm, train: as `forward`
    left them."""
    (W, _, S, G, _), (GW, GB, GS, GG, GC) = params, grads
    sizes, codes, norms = net[0], net[1], net[3]
    a_flat, z_flat, h_flat, d_flat, scratch = flat
    depth, block = sizes.shape[0] - 1, A.shape[1] * A.shape[2]
    head, units = codes[depth - 1], sizes[depth]
    scale = 1.0 / (rows * units) if head == HEAD_ONE_VS_ALL else (
        2.0 / rows if head == HEAD_LINEAR else 1.0 / rows)
    for r in range(rows):
        for j in range(units):
            out = Z[depth, r, j] if head == HEAD_LINEAR else A[depth, r, j]
            D[depth, r, j] = (out - T[r, j]) * scale
    for l in range(depth, 0, -1):
        fi, fo = sizes[l - 1], sizes[l]
        weight_grad(A, D, GW, l, rows, fi, fo)
        for j in range(fo):
            GB[l - 1, j] = 0.0
        for r in range(rows):
            for j in range(fo):
                GB[l - 1, j] += D[l, r, j]
        if l == 1:
            break
        for i in range(fi):
            for j in range(fo):
                WT[l - 1, j, i] = W[l - 1, i, j]
        product(D, l, WT, l - 1, B0, D, l - 1, rows, fo, fi)
        h = l - 2  # hidden index of layer l - 1
        code, dropped = codes[h], train and rates[0, h] > 0.0
        if dropped:
            for r in range(rows):
                for i in range(fi):
                    D[l - 1, r, i] *= M[l - 1, r, i]
        if code == PRELU:
            for i in range(fi):
                total = 0.0
                for r in range(rows):
                    total += D[l - 1, r, i] * min(Z[l - 1, r, i], 0.0)
                GS[h, i] = total
        start = (l - 1) * block
        stop = start + rows * A.shape[2]
        if _random_rows(code) and not train:
            E[:] = k[RRELU_MEAN] if code == RRELU else 0.0
        times_grad(code, z_flat, h_flat if dropped else a_flat, d_flat, scratch, start, stop,
                   layer_param(code, h, S, R, E, start, stop, train), k)
        if norms[h]:
            normalize_grad(D, l - 1, h, G, GG, GC, norm, rows, fi, train)


@njit(inline="always", **OPTIONS)
def update(Q, G, m, v, t, settings, h, n_weights):
    """Penalty on the weights (the first n_weights entries), then one optimizer update with
    PyTorch semantics, written as optimizers.py writes it (the same rounding): SGD
    w -= lr g; momentum v = mu v + g, w -= lr v; Adam bias-corrected with state (m, v, t)."""
    rate, lr = h[REG_RATE], h[LR]
    if settings[REGULARIZER] != REG_NONE and rate != 0.0:
        l2 = settings[REGULARIZER] == REG_L2
        for p in range(n_weights):  # L1: sign(w), 0 at 0
            w = Q[p]
            G[p] += rate * (w if l2 else (1.0 if w > 0.0 else (-1.0 if w < 0.0 else w)))
    code = settings[OPTIMIZER]
    if code == SGD:
        for p in range(Q.shape[0]):
            Q[p] -= G[p] * lr
    elif code == MOMENTUM:
        for p in range(Q.shape[0]):
            m[p] = m[p] * h[MU] + G[p]
            Q[p] -= m[p] * lr
    else:
        b1, b2, eps = h[BETA1], h[BETA2], h[EPS]
        for p in range(Q.shape[0]):
            t[p] += 1.0
        # while every parameter has had as many steps (t[0] is weights[0][0, 0]'s): the
        # bias corrections once, not per parameter
        bc1, inv_bc2_sqrt = 1.0 - b1 ** t[0], 1.0 / np.sqrt(1.0 - b2 ** t[0])
        for p in range(Q.shape[0]):
            g = G[p]
            m[p] = m[p] * b1 + g * (1.0 - b1)
            v[p] = v[p] * b2 + g * g * (1.0 - b2)
            if settings[T_MIXED]:
                Q[p] -= (lr / (1.0 - b1 ** t[p])) * m[p] / (
                    np.sqrt(v[p]) / np.sqrt(1.0 - b2 ** t[p]) + eps)
            else:
                Q[p] -= m[p] / (np.sqrt(v[p]) * inv_bc2_sqrt + eps) * (lr / bc1)


@njit(**OPTIONS)
def padded(vector, where, size):
    """A zero vector of `size` with vector's entries at `where` (theta -> Q)."""
    out = np.zeros(size)
    for p in range(vector.shape[0]):  # an empty vector: a state the optimizer does not keep
        out[where[p]] = vector[p]
    return out


@njit(**OPTIONS)
def unpad(padded_vector, where, vector):
    for p in range(vector.shape[0]):
        vector[p] = padded_vector[where[p]]


@njit(**OPTIONS)
def q_size(net):
    """P (the widest layer, rounded up to a multiple of 4) and the length of Q."""
    sizes = net[0]
    depth, width = sizes.shape[0] - 1, (sizes.max() + 3) // 4 * 4
    hidden = max(depth - 1, 1) * width
    return width, depth * width * (width + 1) + hidden * (3 if some_norm(net) else 1)


@njit(**OPTIONS)
def some_norm(net):
    norms = net[3]
    for h in range(norms.shape[0]):
        if norms[h]:
            return True
    return False


@njit(**OPTIONS)
def node_scratch(net, rows, width):
    """N for `normalize`: (L+1, rows, P) when a layer has batch norm, else empty."""
    return np.zeros((net[0].shape[0], rows, width) if some_norm(net) else (1, 0, width))


@njit(**OPTIONS)
def train_run(theta, m_state, v_state, t_state, net, rates, k, h, settings, x, targets,
              orders, segments, uniforms, stats):
    """Run mini-batch steps in place on theta, the optimizer state (laid out like theta;
    empty when the optimizer keeps none) and batch norm's running statistics (`stats`);
    returns whether theta is all finite. h, settings: tuples of floats and ints (LR..EPS,
    OPTIMIZER..T_MIXED).

    x (n, inputs), targets (n, outputs); segments (S, 3) int64 rows (order row, first
    batch, batches): each runs batches of the epoch whose example order is orders[row]
    (n,) int64; batch b holds examples order[b*bs : (b+1)*bs]. uniforms: every dropout
    draw of the run, consumed in the reference's order (step, layer: RReLU's or Noisy ReLU's
    draws, then dropout's; row, unit).
    """
    sizes, where = net[0], net[2]
    depth, n, bs = sizes.shape[0] - 1, x.shape[0], settings[BATCH_SIZE]
    width, size = q_size(net)
    rows_max = min(bs, n)
    Q, G = padded(theta, where, size), np.zeros(size)
    m, v = padded(m_state, where, size), padded(v_state, where, size)
    t = padded(t_state, where, size)
    nodes = (depth + 1, rows_max, width)
    A, Z, H, M = np.zeros(nodes), np.zeros(nodes), np.zeros(nodes), np.zeros(nodes)
    D, R, E = np.zeros(nodes), np.zeros(nodes), np.zeros(width)
    norm = (stats, node_scratch(net, rows_max, width), np.zeros((depth + 1, width)))
    WT, B0 = np.zeros((depth, width, width)), np.zeros((depth, width))
    params, grads = split(Q, depth, width), split(G, depth, width)
    flat = (A.reshape(A.size), Z.reshape(Z.size), H.reshape(H.size), D.reshape(D.size),
            np.empty(rows_max * width))
    T = np.empty((rows_max, sizes[depth]))
    u = 0
    for s in range(segments.shape[0]):
        order = orders[segments[s, 0]]
        for batch in range(segments[s, 1], segments[s, 1] + segments[s, 2]):
            lo = batch * bs
            rows = min(bs, n - lo)
            for r in range(rows):  # scalar copies: a slice assignment costs ~50 ns a row
                e = order[lo + r]
                for i in range(x.shape[1]):
                    A[0, r, i] = x[e, i]
                for i in range(targets.shape[1]):
                    T[r, i] = targets[e, i]
            u = forward(params, net, rates, k, A, Z, H, M, R, E, norm, flat, rows, uniforms, u,
                        True)
            backward(params, grads, net, rates, k, A, Z, H, M, R, E, norm, D, flat, T, WT, B0,
                     rows, True)
            update(Q, G, m, v, t, settings, h, depth * width * width)
    for padded_vector, vector in ((Q, theta), (m, m_state), (v, v_state), (t, t_state)):
        unpad(padded_vector, where, vector)
    return np.isfinite(theta).all()


@njit(**OPTIONS)
def forward_all(theta, net, rates, k, x, stats):
    """Z and A (L+1, n, P): every node's pre-activation and value for the rows of x
    (n, inputs), no dropout, batch norm on its running statistics `stats`; layer l's are
    [l, :, :sizes[l]]."""
    sizes, n = net[0], x.shape[0]
    width, size = q_size(net)
    # not zeroed (memset was a third of a large grid's time): real outputs read real values
    # and zero-padded weights only, whatever the padding of A and Z holds
    A, Z = np.empty((sizes.shape[0], n, width)), np.empty((sizes.shape[0], n, width))
    A[0, :, : sizes[0]] = x
    params = split(padded(theta, net[2], size), sizes.shape[0] - 1, width)
    a_flat, z_flat = A.reshape(A.size), Z.reshape(Z.size)
    norm = (stats, np.zeros((1, 0, width)), np.empty((sizes.shape[0], width)))
    forward(params, net, rates, k, A, Z, A, A, np.zeros((1, 0, width)), np.empty(width), norm,
            (a_flat, z_flat, a_flat, a_flat, a_flat), n, np.empty(0), 0, False)
    return Z, A


@njit(**OPTIONS)
def measure_set(theta, net, k, x, targets, stats):
    """The evaluation of a whole set: Z and A (L+1, n, P) as forward_all's, the RMS of
    dL/dW of each weight matrix (L,) for the set's mean data loss (no dropout, no penalty:
    the diagnostics' gradient sizes), and live (L+1, P): whether each unit's value is
    nonzero for some row (dead units are hidden units that never are)."""
    sizes, n = net[0], x.shape[0]
    depth = sizes.shape[0] - 1
    width, size = q_size(net)
    nodes = (depth + 1, n, width)
    A, Z, D = np.zeros(nodes), np.zeros(nodes), np.zeros(nodes)
    norm = (stats, node_scratch(net, n, width), np.zeros((depth + 1, width)))
    A[0, :, : sizes[0]] = x
    Q, G = padded(theta, net[2], size), np.zeros(size)
    params, grads = split(Q, depth, width), split(G, depth, width)
    off = np.zeros((2, max(depth - 1, 1)))  # no dropout, no noise
    R, E = np.zeros((1, 0, width)), np.empty(width)   # evaluation: E, never R
    flat = (A.reshape(A.size), Z.reshape(Z.size), A.reshape(A.size), D.reshape(D.size),
            np.empty(n * width))
    forward(params, net, off, k, A, Z, A, A, R, E, norm, flat, n, np.empty(0), 0, False)
    WT, B0 = np.zeros((depth, width, width)), np.zeros((depth, width))
    backward(params, grads, net, off, k, A, Z, A, A, R, E, norm, D, flat, targets, WT, B0, n,
             False)
    rms, GW = np.empty(depth), grads[0]
    for l in range(depth):
        total = 0.0
        for i in range(sizes[l]):
            for j in range(sizes[l + 1]):
                total += GW[l, i, j] * GW[l, i, j]
        rms[l] = np.sqrt(total / (sizes[l] * sizes[l + 1]))
    live = np.zeros((depth + 1, width), dtype=np.bool_)
    for l in range(depth + 1):
        for r in range(n):
            for j in range(sizes[l]):
                live[l, j] |= A[l, r, j] != 0.0
    return Z, A, rms, live
