"""Batch normalization with PyTorch's BatchNorm1d semantics, one hidden layer's worth:
y = (z - mean) / sqrt(var + eps) * gamma + beta per unit.

In training the mean and the (biased) variance are the batch's, and the running
statistics move towards them (running = (1 - momentum) running + momentum batch, the
variance unbiased: n / (n - 1) times the batch's); in evaluation the running statistics
stand in for the batch's. A batch of one has no variance to speak of: PyTorch refuses to
train on it, and so does the playground (service/checks.py says so before a step).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Array = np.ndarray

BN_EPS = 1e-5
BN_MOMENTUM = 0.1


@dataclass
class BatchNormPass:
    """What the backward pass needs of a forward one: the normalized values, 1 / sqrt(var +
    eps), the output, and whether the batch's own statistics were used."""

    z_hat: Array
    inv_std: Array
    y: Array
    training: bool
    mean: Array      # the statistics used (the batch's or the running ones)
    var: Array


def bn_forward(z: Array, gamma: Array, beta: Array, running_mean: Array, running_var: Array,
               training: bool) -> BatchNormPass:
    """y for a batch z (n, units); in training the running statistics are moved in place."""
    if training:
        n = z.shape[0]
        mean = z.mean(axis=0)
        centred = z - mean
        var = (centred * centred).mean(axis=0)
        running_mean *= 1.0 - BN_MOMENTUM
        running_mean += BN_MOMENTUM * mean
        running_var *= 1.0 - BN_MOMENTUM
        running_var += BN_MOMENTUM * var * (n / (n - 1) if n > 1 else 1.0)
    else:
        mean, var = running_mean.copy(), running_var.copy()
        centred = z - mean
    inv_std = 1.0 / np.sqrt(var + BN_EPS)
    z_hat = centred * inv_std
    return BatchNormPass(z_hat, inv_std, z_hat * gamma + beta, training, mean, var)


def bn_backward(norm: BatchNormPass, dy: Array, gamma: Array, d_gamma: Array,
                d_beta: Array) -> Array:
    """dL/dz from dL/dy; dL/dgamma and dL/dbeta written into d_gamma and d_beta. In training
    the batch's statistics depend on every z of the batch:
    dz = inv_std / n (n dz_hat - sum(dz_hat) - z_hat sum(dz_hat z_hat)), dz_hat = dy gamma;
    in evaluation the normalization is a fixed affine map: dz = dy gamma inv_std."""
    np.add.reduce(dy * norm.z_hat, axis=0, out=d_gamma)
    np.add.reduce(dy, axis=0, out=d_beta)
    d_hat = dy * gamma
    if not norm.training:
        return d_hat * norm.inv_std
    n = dy.shape[0]
    return (norm.inv_std / n) * (n * d_hat - d_hat.sum(axis=0)
                                 - norm.z_hat * (d_hat * norm.z_hat).sum(axis=0))


def checked_values(given: dict, lists: dict) -> list[tuple[str, list, list]]:
    """(field, the arrays written, the values) of each batch norm field given (`lists`: the
    network's per-hidden-layer arrays by field); ValueError naming what does not fit,
    before anything is written."""
    out = []
    for name, values in given.items():
        if values is None:
            continue
        targets = lists[name]
        if len(values) != len(targets):
            raise ValueError(f"{name} needs {len(targets)} entries, got {len(values)}")
        for k, (new, old) in enumerate(zip(values, targets)):
            if (new is None) != (old is None):
                want = "null (no batch norm)" if old is None else f"{old.shape[0]} values"
                raise ValueError(f"{name}[{k}] must be {want}")
            if new is not None and np.shape(new) != old.shape:
                raise ValueError(f"{name}[{k}] must have shape {list(old.shape)}")
            if name == "bn_var" and new is not None and min(new) < 0.0:
                raise ValueError(f"bn_var[{k}] must not be negative: it is a variance")
        out.append((name, targets, values))
    return out
