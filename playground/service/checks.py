"""The checks a session's requests pass before anything is touched: each raises a
`Refused` with its code and params, or returns.

Layers are numbered in what a learner reads as the node ids number them: layer 0 is the
input, layer 1 the first hidden layer. The API's `index` counts hidden layers only, so
hidden index k is layer k + 1; a message names both ("layer 2 (hidden index 1)").
"""

from __future__ import annotations

import math

from ..engine.activations import ACTIVATIONS
from ..engine.datasets import Data
from ..engine.training import Trainer
from .config import Limits
from .errors import Refused


def hidden_name(index: int) -> str:
    return f"layer {index + 1} (hidden index {index})"


def check_insert(hidden: int, index: int) -> None:
    """A new hidden layer at `index` of a network with `hidden` hidden layers."""
    most = Limits.max_hidden_layers
    if hidden >= most:
        raise Refused(f"the network already has the most hidden layers allowed ({most})",
                      "too_many_layers", {"max": most}, allowed=[0, most])
    if not 0 <= index <= hidden:
        raise Refused(f"a new hidden layer goes at hidden index 0..{hidden} (layers 1.."
                      f"{hidden + 1}); {index} is out of range", "layer_position",
                      {"min": 0, "max": hidden}, allowed=[0, hidden])


def check_layer(hidden: int, index: int) -> None:
    """Hidden layer `index` exists."""
    if 0 <= index < hidden:
        return
    allowed = (f"layers 1..{hidden} (hidden index 0..{hidden - 1})" if hidden
               else "none: the network has no hidden layers")
    raise Refused(f"there is no {hidden_name(index)}; hidden layers: {allowed}",
                  "no_such_layer", {"layer": index + 1, "index": index, "hidden_layers": hidden},
                  status=404, allowed=[0, hidden - 1] if hidden else [])


def check_room(units: int, count: int, index: int) -> None:
    """`count` more neurons fit in hidden layer `index`, which has `units`."""
    most = Limits.max_units
    if units + count > most:
        room = most - units
        raise Refused(f"{hidden_name(index)} has {units} neurons; at most {most} are allowed, "
                      f"so at most {room} more", "too_many_units",
                      {"layer": index + 1, "units": units, "max": most, "room": room},
                      allowed=[1, room])


def check_neuron(units: int, index: int, node: int) -> None:
    """Neuron `node` of hidden layer `index` (with `units`) exists and may go."""
    if not 0 <= node < units:
        raise Refused(f"neuron {node} does not exist; {hidden_name(index)} has neurons "
                      f"0..{units - 1}", "no_such_neuron",
                      {"layer": index + 1, "neuron": node, "last": units - 1},
                      status=404, allowed=[0, units - 1])
    if units == 1:
        raise Refused(f"{hidden_name(index)} has only one neuron; remove the layer instead",
                      "last_neuron", {"layer": index + 1}, status=409)


def _node(field: str, value: int, top: int, message: str) -> None:
    if not 0 <= value <= top:
        raise Refused(f"{field} {value} is out of range; {message} 0..{top}", "no_such_node",
                      {"field": field, "value": value, "max": top}, allowed=[0, top])


def check_weight(sizes: list[int], layer: int, src: int, dst: int) -> None:
    """weights[layer][src][dst] exists (layer: from network layer `layer` to `layer + 1`)."""
    _node("layer", layer, len(sizes) - 2, "weights[layer] exist for layer")
    _node("from", src, sizes[layer] - 1, f"layer {layer} has nodes")
    _node("to", dst, sizes[layer + 1] - 1, f"layer {layer + 1} has nodes")


def check_bias(sizes: list[int], layer: int, node: int) -> None:
    """biases[layer][node] exists (the bias of node `node` of network layer `layer + 1`)."""
    _node("layer", layer, len(sizes) - 2, "biases[layer] exist for layer")
    _node("node", node, sizes[layer + 1] - 1, f"layer {layer + 1} has nodes")


def check_slope(hidden: list[str], sizes: list[int], layer: int, node: int) -> None:
    """prelu_slopes[layer][node] exists: hidden layer `layer` (`hidden` are the hidden
    layers' activations, `sizes` the network's layer sizes) is PReLU and has node `node`.
    Indexes out of range are refused as a bias's are; a network without hidden layers has
    no range of layers to name."""
    if not hidden:
        check_layer(0, layer)
    _node("layer", layer, len(hidden) - 1, "prelu_slopes[layer] exist for hidden layer")
    if not ACTIVATIONS[hidden[layer]].learnable_slope:
        raise Refused(f"{hidden_name(layer)} is {hidden[layer]}, not prelu: only a PReLU layer "
                      f"has slopes", "not_prelu",
                      {"layer": layer + 1, "index": layer, "activation": hidden[layer]},
                      status=409)
    _node("node", node, sizes[layer + 1] - 1, f"{hidden_name(layer)} has nodes")


def check_norm(norms: list[bool], sizes: list[int], layer: int, node: int, field: str,
                value: float) -> None:
    """bn_<field>[layer][node] exists (`norms`: whether each hidden layer has batch norm)
    and a variance is not negative; indexes out of range refused as a slope's are."""
    if not norms:
        check_layer(0, layer)
    _node("layer", layer, len(norms) - 1, "bn values exist for hidden layer")
    if not norms[layer]:
        raise Refused(f"{hidden_name(layer)} has no batch norm: turn it on first",
                      "no_batch_norm", {"layer": layer + 1, "index": layer}, status=409)
    _node("node", node, sizes[layer + 1] - 1, f"{hidden_name(layer)} has nodes")
    if field == "var" and value < 0.0:
        raise Refused(f"var {value:g} is negative: a variance is 0 or more", "too_small",
                      {"field": "var", "min": 0.0, "value": value})


def check_label(data: Data, label: float) -> None:
    """`label` is a class of a classification dataset (any number for a regression)."""
    if data.kind != "regression" and (label != int(label) or not 0 <= label < data.classes):
        raise Refused(f"label {label:g} is not a class of this dataset; labels are the "
                      f"integers 0..{data.classes - 1}", "not_a_class",
                      {"label": label, "last": data.classes - 1},
                      allowed=list(range(data.classes)))


def check_trainable(trainer: Trainer) -> None:
    """A diverged network trains no further until something changes."""
    if trainer.diverged:
        raise Refused(f"training stopped because the network diverged: "
                      f"{trainer.divergence_reason}. Lower the learning rate, then reset "
                      f"or change a parameter to go on.", "diverged", status=409)


def check_batches(trainer: Trainer) -> None:
    """Batch norm cannot train on a batch of one example (its variance is 0): PyTorch
    refuses it ("Expected more than 1 value per channel when training"), and so do we,
    before any step, when the batch size or the epoch's last batch would hold one."""
    if not any(h.batch_norm for h in trainer.net.hidden):
        return
    n, size = trainer.n, trainer.batch_size
    smallest = min(size, n) if size >= n or n % size == 0 else n % size
    if smallest == 1:
        raise Refused(f"batch norm cannot train on a batch of one example (its variance is "
                      f"0; PyTorch refuses it too): with {n} training examples and batch size "
                      f"{size}, a batch holds one. Choose another batch size, or turn batch "
                      f"norm off.", "batch_of_one", {"batch_size": size, "examples": n},
                      status=422)


def call_allowance(trainer: Trainer) -> tuple[int, int]:
    """(most steps, most epochs) one step or frame call may run on this network and data:
    at most `max_steps_per_call` steps and at most `max_work_per_call` work, where work is
    steps x examples per step x parameters (counted, never timed, so that a refusal is the
    same on every machine and the results stay reproducible). The epochs are counted from
    an epoch's start, so asking for that many is always allowed."""
    steps = min(Limits.max_steps_per_call, Limits.max_work_per_call // _work_per_step(trainer))
    return steps, steps // trainer.steps_per_epoch


def _work_per_step(trainer: Trainer) -> int:
    """A step's work: its examples (the batch; at least `min_examples_per_step`, below
    which a step costs its per-call overhead, not its arithmetic) x the parameters."""
    examples = max(min(trainer.batch_size, trainer.n), Limits.min_examples_per_step)
    return examples * trainer.net.theta.size


def steps_of(trainer: Trainer, steps: int | None, epochs: int | None) -> int:
    """The steps a call asks for, refused when one call may not run that many or do that
    much work (before anything is touched)."""
    if epochs is not None:
        steps = trainer.steps_for_epochs(epochs)
    steps = int(steps or 0)
    most_steps, most_epochs = call_allowance(trainer)
    per_epoch = trainer.steps_per_epoch
    if epochs is not None and steps > Limits.max_steps_per_call:
        cap = Limits.max_steps_per_call
        raise Refused(f"{epochs} epochs are {steps} steps here ({per_epoch} per epoch); one "
                      f"call runs at most {cap} steps, so at most {most_epochs} epochs",
                      "too_many_epochs",
                      {"epochs": epochs, "steps": steps, "steps_per_epoch": per_epoch,
                       "max_steps": cap, "max_epochs": most_epochs},
                      allowed={"epochs": [1, most_epochs]})
    if steps > most_steps:
        work, cap = steps * _work_per_step(trainer), Limits.max_work_per_call
        raise Refused(f"{steps} steps of this network on this data are {work:,} work "
                      f"(examples x parameters); one call may do at most {cap:,}, so at most "
                      f"{most_steps} steps ({most_epochs} epochs of {per_epoch} steps)",
                      "too_much_work",
                      {"steps": steps, "work": work, "max_work": cap, "max_steps": most_steps,
                       "max_epochs": most_epochs},
                      allowed={"steps": [1, most_steps],
                               "epochs": [1, most_epochs] if most_epochs else []})
    return steps


def check_grid(nodes: int, resolution: int, encoding: str) -> None:
    """Heatmaps as nested lists (~20 bytes a number) stay under `max_list_heatmap_values`:
    every node's grid and the output's two, R x R each (u8 grids are a byte a cell)."""
    if encoding != "list":
        return
    grids, most = nodes + 2, Limits.max_list_heatmap_values
    if grids * resolution**2 > most:
        top = math.isqrt(most // grids)
        raise Refused(f"{grids} grids of {resolution} x {resolution} numbers are more than "
                      f"the {most:,} one list answer may hold: at most resolution {top} for "
                      f"this network, or use encoding=u8", "grid_too_large",
                      {"resolution": resolution, "max_resolution": top},
                      allowed={"resolution": [2, top]})
