"""Goal predicates (API.md 6.3): what a lesson's task or a teacher's exercise asks of a
session, checked by the server on the session's own numbers.

A goal is a comparison `{"metric", "op", "value"}` (a few metrics also name a `layer`, a
`node` or a `point`), a text check `{"metric": "activation", "is": "relu"}`, or a
combination `{"all": [...]}` / `{"any": [...]}`. Every metric is a row of METRICS: its
id, what it reads and whether it is a number or a name, so adding one is one line.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

import numpy as np
from pydantic import (BaseModel, BeforeValidator, ConfigDict, Discriminator, Field,
                      GetJsonSchemaHandler, Tag, model_validator)

from ..engine.activations import ACTIVATIONS
from ..engine.datasets import DATASETS
from ..engine.diagnostics import FLAGS
from ..engine.features import feature_matrix
from ..engine.heads import HEADS
from ..engine.optimizers import OPTIMIZERS
from ..engine.regularizers import REGULARIZERS
from .errors import Refused, RuleBroken

if TYPE_CHECKING:
    from .sessions import Session

OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": lambda a, b: math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12),
}
Op = Literal["<", "<=", ">", ">=", "=="]
Point = Annotated[list[float], Field(min_length=2, max_length=2)]


@dataclass(frozen=True)
class Metric:
    """One thing a goal can read: `read(session, goal)` gives a number, a name, or None
    when the session has no such number (e.g. accuracy in regression)."""

    id: str
    en: str                        # what the page calls it, in English
    zh: str                        # and in Chinese
    kind: Literal["number", "name"]
    read: Callable[[Session, Predicate], Any]
    needs: tuple[str, ...] = ()   # the goal fields it reads: "layer", "node", "point"
    names: tuple[str, ...] = ()   # a name metric: the names it can read (the registries')
    span: tuple[float, float] | None = None   # a number metric's values, when bounded

    def listing(self) -> dict:
        """The row as GET /api/goals lists it (the page's goal menu)."""
        return {"id": self.id, "name": {"en": self.en, "zh": self.zh}, "kind": self.kind,
                "needs": list(self.needs), "ops": list(OPS) if self.kind == "number" else ["is"],
                "names": list(self.names) if self.kind == "name" else None}


def _metric(name: str) -> Callable[[Session, Predicate], float | None]:
    return lambda s, g: s.metrics().get(name)


def _gap(s: Session, g: Predicate) -> float | None:
    m = s.metrics()
    return None if m["train_loss"] is None or m["test_loss"] is None \
        else m["test_loss"] - m["train_loss"]


def _values_at(s: Session, point: list[float]) -> list[np.ndarray]:
    """Every layer's values (evaluation mode) for one point of the plane."""
    x = feature_matrix(np.asarray([point], dtype=np.float64), s.config.features)
    with np.errstate(all="ignore"):
        return [a[0] for a in s.net.forward(x).a]


def _node_value(s: Session, g: Predicate) -> float | None:
    values = _values_at(s, g.point)
    if g.layer >= len(values) or g.node >= len(values[g.layer]):
        return None
    return float(values[g.layer][g.node])


def _output_sum(s: Session, g: Predicate) -> float:
    return float(_values_at(s, g.point)[-1].sum())


def _activation(s: Session, g: Predicate) -> str | None:
    """The hidden layers' activation: layer `layer`'s (1 = the first hidden layer), or
    the one all of them share (None when they differ or there is no hidden layer)."""
    hidden = s.net.hidden
    if g.layer is not None:
        return hidden[g.layer - 1].activation if 1 <= g.layer <= len(hidden) else None
    names = {h.activation for h in hidden}
    return names.pop() if len(names) == 1 else None


def _dropout(s: Session, g: Predicate) -> float | None:
    """The training-only dropout rate of hidden layer `layer` (1 = the first), or the
    largest of the hidden layers' rates (0 without hidden layers)."""
    hidden = s.net.hidden
    if g.layer is not None:
        return hidden[g.layer - 1].dropout if 1 <= g.layer <= len(hidden) else None
    return max((h.dropout for h in hidden), default=0.0)


def _units(s: Session, g: Predicate) -> int | None:
    sizes = s.net.sizes
    return sizes[g.layer] if 0 <= g.layer < len(sizes) else None


def _diagnostic(name: str) -> Callable[[Session, Predicate], Any]:
    return lambda s, g: s.monitor.evaluate(s)[1][name]


UNIT = (0.0, 1.0)   # accuracies, rates and yes/no flags

_ROWS = [
    Metric("train_loss", "training loss", "训练损失", "number", _metric("train_loss")),
    Metric("test_loss", "test loss", "测试损失", "number", _metric("test_loss")),
    Metric("train_accuracy", "training accuracy", "训练准确率", "number",
           _metric("train_accuracy"), span=UNIT),
    Metric("test_accuracy", "test accuracy", "测试准确率", "number", _metric("test_accuracy"),
           span=UNIT),
    Metric("loss_gap", "test loss - training loss", "测试损失 - 训练损失", "number", _gap),
    Metric("epoch", "epochs", "周期数", "number", lambda s, g: s.trainer.epoch),
    Metric("step", "steps", "步数", "number", lambda s, g: s.trainer.step),
    Metric("hidden_units", "hidden neurons", "隐藏神经元数", "number",
           lambda s, g: sum(h.units for h in s.net.hidden)),
    Metric("hidden_layers", "hidden layers", "隐藏层数", "number",
           lambda s, g: len(s.net.hidden)),
    # layer 0 = the inputs, 1 = the first hidden layer, the last = the outputs
    Metric("units", "neurons", "神经元数", "number", _units, ("layer",)),
    Metric("features", "input features", "输入特征数", "number",
           lambda s, g: len(s.config.features)),
    Metric("dead_units", "dead neurons", "死亡神经元数", "number",
           lambda s, g: len(_diagnostic("dead_units")(s, g))),
    Metric("diverged", "diverged (1 = yes)", "已发散（1 = 是）", "number",
           lambda s, g: int(s.trainer.diverged), span=UNIT),
    Metric("overfitting", "overfitting flagged (1 = yes)", "出现过拟合提示（1 = 是）", "number",
           lambda s, g: int(_diagnostic("overfitting")(s, g) is not None), span=UNIT),
    Metric("output_sum", "sum of the outputs", "输出之和", "number", _output_sum, ("point",)),
    Metric("node_value", "value", "值", "number", _node_value,
           ("layer", "node", "point")),
    Metric("learning_rate", "learning rate", "学习率", "number",
           lambda s, g: s.config.learning_rate),
    Metric("activation", "activation", "激活函数", "name", _activation,
           names=tuple(ACTIVATIONS)),
    Metric("dropout", "dropout rate", "丢弃率（dropout）", "number", _dropout, span=UNIT),
    Metric("head", "output head", "输出层", "name", lambda s, g: s.net.head.id,
           names=tuple(HEADS)),
    Metric("optimizer", "optimizer", "优化器", "name", lambda s, g: s.config.optimizer,
           names=tuple(OPTIMIZERS)),
    Metric("dataset", "dataset", "数据集", "name", lambda s, g: s.config.dataset,
           names=tuple(DATASETS)),
    Metric("regularization", "regularization", "正则化", "name",
           lambda s, g: s.config.regularization, names=tuple(REGULARIZERS)),
    Metric("gradient_flag", "gradient warning", "梯度提示", "name",
           _diagnostic("gradient_flag"), names=FLAGS),
]
METRICS: dict[str, Metric] = {row.id: row for row in _ROWS}
MetricId = Literal[tuple(METRICS)]  # type: ignore[valid-type]


class Predicate(BaseModel):
    """One check of one metric: a number compared (`op`, `value`) or a name (`is`)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    metric: MetricId
    op: Op | None = None
    value: float | None = None
    is_: str | None = Field(None, alias="is")
    layer: int | None = Field(None, ge=0)
    node: int | None = Field(None, ge=0)
    point: Point | None = None

    @model_validator(mode="after")
    def _complete(self) -> Predicate:
        row = METRICS[self.metric]
        if row.kind == "number" and (self.op is None or self.value is None or self.is_):
            raise RuleBroken(f"metric {self.metric!r} is a number: give op and value",
                             "bad_goal", metric=self.metric, needs="op, value")
        if row.kind == "name" and (self.is_ is None or self.op or self.value is not None):
            raise RuleBroken(f"metric {self.metric!r} is a name: give is", "bad_goal",
                             metric=self.metric, needs="is")
        if row.kind == "name" and self.is_ not in row.names:   # a goal no one could meet
            raise RuleBroken(f"{self.metric} is one of {', '.join(row.names)}, not "
                             f"{self.is_!r}", "unknown_id", field="is", value=self.is_[:40],
                             allowed=list(row.names))
        missing = [f for f in row.needs if getattr(self, f) is None]
        if missing:
            raise RuleBroken(f"metric {self.metric!r} needs {', '.join(missing)}", "bad_goal",
                             metric=self.metric, needs=", ".join(missing))
        return self

    def target(self) -> str:
        """What is asked, as the page shows it: "< 0.2", "relu"."""
        return self.is_ if METRICS[self.metric].kind == "name" else f"{self.op} {self.value:g}"


class AllOf(BaseModel):
    model_config = ConfigDict(extra="forbid")
    all: list[Goal] = Field(min_length=1, max_length=16)


class AnyOf(BaseModel):
    model_config = ConfigDict(extra="forbid")
    any: list[Goal] = Field(min_length=1, max_length=16)


def _goal_kind(goal: Any) -> str:
    """Which form a goal has, told by its key: a refusal then names the one form's field
    ("goals.0.value"), not every form tried."""
    keys = goal if isinstance(goal, dict) else getattr(goal, "__dict__", {})
    return "all" if "all" in keys else "any" if "any" in keys else "check"


Goal = Annotated[Union[Annotated[Predicate, Tag("check")], Annotated[AllOf, Tag("all")],
                       Annotated[AnyOf, Tag("any")]], Discriminator(_goal_kind)]
AllOf.model_rebuild()
AnyOf.model_rebuild()

# How deep all/any may nest: "all of (any of (a, b), c)" is 2. Deeper says nothing a
# teacher needs, and a bound keeps the work of reading and checking a goal bounded.
MAX_GOAL_DEPTH = 3


def nesting(goal: Any) -> int:
    """How deep all/any nest in a goal as sent (0 for a single check); iterative, so a
    pathological body cannot exhaust the stack before it is refused."""
    deepest, todo = 0, [(goal, 0)]
    while todo:
        item, depth = todo.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            for key in ("all", "any"):
                if isinstance(item.get(key), list):
                    todo.extend((part, depth + 1) for part in item[key])
    return deepest


def _shallow(goals: Any) -> Any:
    for i, goal in enumerate(goals if isinstance(goals, list) else []):
        if nesting(goal) > MAX_GOAL_DEPTH:
            raise RuleBroken(f"goal {i} nests all/any {nesting(goal)} deep; at most "
                             f"{MAX_GOAL_DEPTH}", "goal_too_deep", index=i,
                             limit=MAX_GOAL_DEPTH)
    return goals


class _Unrolled:
    """The published schema of a goal list: all/any written out to MAX_GOAL_DEPTH
    levels instead of a cycle of references. It says the depth rule, and tools that
    generate requests from the schema (schemathesis) cannot bottom out in a cycle."""

    def __get_pydantic_json_schema__(self, core: Any,
                                     handler: GetJsonSchemaHandler) -> dict[str, Any]:
        listing = handler(core)   # items: oneOf [Predicate, AllOf, AnyOf], as references
        check = listing["items"]["oneOf"][0]

        def level(depth: int) -> dict[str, Any]:
            if depth == 0:
                return dict(check)   # a copy each time: refs are rewritten in place later
            inner = level(depth - 1)
            return {"oneOf": [dict(check)] + [
                {"type": "object", "title": title, "additionalProperties": False,
                 "required": [key],
                 "properties": {key: {"type": "array", "items": inner,
                                      "minItems": 1, "maxItems": 16}}}
                for key, title in (("all", "AllOf"), ("any", "AnyOf"))]}

        return {**{k: v for k, v in listing.items() if k != "items"},
                "items": level(MAX_GOAL_DEPTH)}


def goal_list(max_length: int) -> Any:
    """A list of 1..max_length goals, each nesting all/any at most MAX_GOAL_DEPTH deep
    (refused as goal_too_deep, with the goal's index and the limit)."""
    return Annotated[list[Goal], Field(min_length=1, max_length=max_length),
                     BeforeValidator(_shallow), _Unrolled()]


def check_reachable(goals: list[Goal]) -> None:
    """Refuse a goal whose number lies outside its metric's range ("test accuracy >= 5":
    never met, or always), naming the goal as a validation error does (detail[0].loc).
    Checked when a goal is made, not in Predicate: goals kept before this rule still read."""
    def walk(goal: Goal, loc: list) -> None:
        if isinstance(goal, (AllOf, AnyOf)):
            key = "all" if isinstance(goal, AllOf) else "any"
            for k, part in enumerate(getattr(goal, key)):
                walk(part, [*loc, key, k])
            return
        span = METRICS[goal.metric].span
        if span and not span[0] <= goal.value <= span[1]:
            where = ".".join(str(p) for p in [*loc, "value"])
            raise Refused(f"{goal.metric} is between {span[0]:g} and {span[1]:g}, not "
                          f"{goal.value:g}", "out_of_range",
                          {"field": where, "min": span[0], "max": span[1], "value": goal.value},
                          detail=[{"loc": ["body", *loc, "value"], "type": "out_of_range",
                                   "msg": f"{goal.metric} is between {span[0]:g} and "
                                          f"{span[1]:g}"}])
    for k, goal in enumerate(goals):
        walk(goal, ["goals", k])


@dataclass(frozen=True)
class Checked:
    """A goal checked on a session: met, and for a single check the value read (a
    finite number, a name or None) and what was asked."""

    met: bool
    value: float | str | None = None
    target: str | None = None


def check(goal: Goal, session: Session) -> Checked:
    """Whether the session meets the goal now (a combination: its parts, all or any)."""
    if isinstance(goal, AllOf):
        return Checked(all(check(g, session).met for g in goal.all))
    if isinstance(goal, AnyOf):
        return Checked(any(check(g, session).met for g in goal.any))
    row = METRICS[goal.metric]
    value = row.read(session, goal)
    if row.kind == "name":
        return Checked(value == goal.is_, value, goal.target())
    if value is None or not math.isfinite(value):
        return Checked(False, None, goal.target())
    value = float(value)
    return Checked(OPS[goal.op](value, goal.value), value, goal.target())


def describe(goal: Predicate) -> dict[str, str]:
    """A single check in words, both languages: "test loss < 0.2", "测试损失 < 0.2",
    "value of node 1:0 at (0, 0) == 0", "节点 1:0 在 (0, 0) 处的值 == 0"."""
    row = METRICS[goal.metric]
    en, zh = row.en, row.zh
    if goal.layer is not None and goal.node is not None:   # the page's node id, "1:0"
        en, zh = f"{en} of node {goal.layer}:{goal.node}", f"节点 {goal.layer}:{goal.node} 的{zh}"
    elif goal.layer is not None:                           # layer 1 = the first hidden one
        en, zh = f"{en} in layer {goal.layer}", f"第 {goal.layer} 层的{zh}"
    if goal.point is not None:
        x1, x2 = goal.point
        en, zh = f"{en} at ({x1:g}, {x2:g})", f"在 ({x1:g}, {x2:g}) 处，{zh}"
    return {"en": f"{en} {goal.target()}", "zh": f"{zh} {goal.target()}"}
