"""One example, node by node: the forward arithmetic with the numbers filled in and, given
a label, the backward pass of that one example's data loss.

Everything is computed by the network's own `forward` and `backward` on a batch of one;
this module only reads the numbers out and writes them as formulas a learner can check.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .activations import ACTIVATIONS
from .batch_norm import BN_EPS
from .features import feature_matrix
from .nn import Network


def fmt(x: float) -> str:
    """A number as the formulas show it: 3 decimals, or 3 significant digits when tiny/huge."""
    x = float(x)
    if x == 0.0:
        return "0"
    if 1e-3 <= abs(x) < 1e5:
        return f"{x:.3f}"
    return f"{x:.3g}"


def node_id(layer: int, j: int) -> str:
    return f"{layer}:{j}"


def trace(
    net: Network,
    features: Sequence[str],
    point: Sequence[float],
    label: float | None = None,
    threshold: float = 0.5,
    learning_rate: float | None = None,
) -> dict:
    """The forward steps (and with `label` the backward steps) for one point (x1, x2);
    with `learning_rate`, each backward step also carries the plain SGD update -lr * g."""
    x = feature_matrix(np.asarray([point], dtype=np.float64), features)
    with np.errstate(all="ignore"):
        fwd = net.forward(x)
    head = net.head
    depth = net.depth
    forward = []
    for l in range(1, depth + 1):
        a_prev = fwd.a[l - 1][0]
        w, b = net.weights[l - 1], net.biases[l - 1]
        norm = fwd.bn[l]
        z_layer = (fwd.z_linear[l] if norm is not None else fwd.z[l])[0]
        for j in range(net.sizes[l]):
            inputs = [
                {"from": node_id(l - 1, i), "value": float(a_prev[i]), "weight": float(w[i, j])}
                for i in range(net.sizes[l - 1])
            ]
            sum_text = " + ".join(f"{fmt(s['value'])}*{fmt(s['weight'])}" for s in inputs)
            sum_text = f"{sum_text} + {fmt(b[j])}"
            value = float(fwd.a[l][0, j])
            z = float(z_layer[j])
            extra: dict = {}
            if l < depth and norm is not None:
                act = net.hidden[l - 1].activation
                extra["batch_norm"] = bn_line(norm, net, l, j, z)
                y = extra["batch_norm"]["value"]
                formula = (f"{act}(BN({sum_text})) = {act}(BN({fmt(z)})) = {act}({fmt(y)}) = "
                           f"{fmt(value)}")
            elif l < depth:
                act = net.hidden[l - 1].activation
                formula = f"{act}({sum_text}) = {act}({fmt(z)}) = {fmt(value)}"
            elif head.id == "softmax":
                act = head.id
                exps = " + ".join(f"e^{fmt(zk)}" for zk in z_layer)
                formula = (f"softmax: z = {sum_text} = {fmt(z)}; "
                           f"e^{fmt(z)} / ({exps}) = {fmt(value)}")
            else:
                act = head.id
                # one-vs-all is K independent sigmoids: each unit's formula is a sigmoid's
                f = "sigmoid" if head.id == "one_vs_all" else head.id
                formula = f"{f}({sum_text}) = {f}({fmt(z)}) = {fmt(value)}"
            step = {"node": node_id(l, j), "inputs": inputs, "bias": float(b[j]), "z": z,
                    "activation": act, "value": value, "formula": formula, **extra}
            if l < depth and net.slopes[l - 1] is not None:
                step["slope"] = float(net.slopes[l - 1][j])
            forward.append(step)

    out = fwd.output
    prediction = head.predict(out, threshold)[0]
    output: dict = {"values": [float(v) for v in out[0]],
                    "prediction": float(prediction) if head.id == "linear" else int(prediction)}
    if head.per_class_units:
        output["probability_sum"] = float(out[0].sum())
    if head.id == "sigmoid":
        output["threshold"] = threshold
    result: dict = {
        "point": [float(point[0]), float(point[1])],
        "features": [{"id": f, "node": node_id(0, i), "value": float(x[0, i])}
                     for i, f in enumerate(features)],
        "forward": forward,
        "output": output,
    }
    if label is not None:
        with np.errstate(all="ignore"):  # an overflow is reported as null, never a warning
            result.update(_backward(net, fwd, label, learning_rate))
    return result


def bn_line(norm, net: Network, l: int, j: int, z: float) -> dict:
    """Hidden layer l's batch norm of node j, with the numbers (evaluation: the running
    statistics)."""
    k = l - 1
    mean, var = float(norm.mean[j]), float(norm.var[j])
    gamma, beta = float(net.gammas[k][j]), float(net.betas[k][j])
    y = float(norm.y[0, j])
    formula = (f"y = (z - mean) / sqrt(var + eps) * gamma + beta = ({fmt(z)} - {fmt(mean)}) / "
               f"sqrt({fmt(var)} + {BN_EPS:g}) * {fmt(gamma)} + {fmt(beta)} = {fmt(y)}")
    return {"mean": mean, "var": var, "gamma": gamma, "beta": beta, "value": y,
            "formula": formula}


def _backward(net: Network, fwd, label: float, learning_rate: float | None) -> dict:
    head = net.head
    units = net.sizes[-1]
    targets = head.targets(np.array([label]), units)
    with np.errstate(all="ignore"):
        loss = head.loss(fwd.logits, targets)
        grads = net.backward(fwd, targets)
    depth = net.depth
    steps = []
    for l in range(depth, 0, -1):
        dz = grads.dz[l][0]
        if l < depth:
            # dL/da_j = sum_k w[j][k] dL/dz_k over the next layer's nodes
            da = grads.dz[l + 1][0] @ net.weights[l].T
            act = ACTIVATIONS[net.hidden[l - 1].activation]
            dfdz = act.df(fwd.z[l], fwd.a_raw[l], fwd.p[l])[0].astype(np.float64)
        for j in range(net.sizes[l]):
            weight_grads = [
                {"from": node_id(l - 1, i), "grad": float(grads.weights[l - 1][i, j])}
                for i in range(net.sizes[l - 1])
            ]
            step = {"node": node_id(l, j), "dz": float(dz[j]),
                    "bias_grad": float(grads.biases[l - 1][j]), "weight_grads": weight_grads}
            if learning_rate is not None:  # what one SGD step on this example would change
                for g in weight_grads:
                    g["update"] = -learning_rate * g["grad"]
                step["bias_update"] = -learning_rate * step["bias_grad"]
            if l == depth:
                step["formula"] = _output_dz_formula(head.id, fwd.output[0, j], fwd.logits[0, j],
                                                     float(targets[0, j]), units, dz[j])
            else:
                nxt = net.weights[l][j]
                terms = " + ".join(f"{fmt(w)}*{fmt(d)}" for w, d in zip(nxt, grads.dz[l + 1][0]))
                step["da"] = float(da[j])
                step["dactivation"] = float(dfdz[j])
                norm = fwd.bn[l]
                if norm is None:
                    step["formula"] = (f"dL/da = {terms} = {fmt(da[j])}; dL/dz = dL/da * "
                                       f"f'(z) = {fmt(da[j])}*{fmt(dfdz[j])} = {fmt(dz[j])}")
                else:   # evaluation: batch norm is y = z * gamma * inv_std + const
                    dy = float(da[j] * dfdz[j])
                    gamma, inv_std = net.gammas[l - 1][j], norm.inv_std[j]
                    step.update(dy=dy, gamma_grad=float(grads.gammas[l - 1][j]),
                                beta_grad=float(grads.betas[l - 1][j]))
                    step["formula"] = (
                        f"dL/da = {terms} = {fmt(da[j])}; dL/dy = dL/da * f'(y) = "
                        f"{fmt(da[j])}*{fmt(dfdz[j])} = {fmt(dy)}; dL/dz = dL/dy * gamma / "
                        f"sqrt(var + eps) = {fmt(dy)}*{fmt(gamma)}*{fmt(inv_std)} = "
                        f"{fmt(dz[j])}")
                if grads.slopes[l - 1] is not None:
                    step["slope_grad"] = float(grads.slopes[l - 1][j])
            steps.append(step)
    return {"label": float(label), "loss": float(loss), "backward": steps}


def _output_dz_formula(head_id: str, p: float, z: float, y: float, units: int, dz: float) -> str:
    if head_id == "linear":
        return f"dL/dz = 2*(y_hat - y) = 2*({fmt(p)} - {fmt(y)}) = {fmt(dz)}"
    if head_id == "one_vs_all":
        return f"dL/dz = (p - y) / K = ({fmt(p)} - {fmt(y)}) / {units} = {fmt(dz)}"
    return f"dL/dz = p - y = {fmt(p)} - {fmt(y)} = {fmt(dz)}"
