"""Lessons as data (API.md 6.3): one YAML file per lesson in this folder, validated
against the models below when loaded. A broken lesson fails the test suite
(tests/service/lessons/test_lesson_files.py loads and solves every one), never the page.

A lesson has texts in English and Chinese, the playground it starts from (a config and,
optionally, parameters), the page controls it locks (shown, disabled) or hides, and its
steps. A control (`CONTROLS`) is a setting by its Config field name (`learning_rate`,
`momentum`, `adam_beta1`, `init`, ...; `hidden` is adding and removing layers and
neurons), a hidden layer's own setting on every layer (`activation`, `dropout`,
`noise_sigma`, `batch_norm`), or `weights`: typing a weight, a bias or a PReLU slope.
The page only obeys them (static/js/features/lesson.js); the server does not refuse a
change a lesson locks.

A step is a task, whose goals (service/goals.py) the server checks on the live session,
or a question (choices or a number: predict, then run), checked when answered. Both may
reset parts of the playground when they begin (`start`), and have hints and an
explanation shown once done.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Annotated, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..config import Config, ConfigPatch
from ..goals import Goal, Predicate, describe

FOLDER = Path(__file__).parent
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
# what a lesson may lock or hide on the page: a setting (a Config field), "weights"
# (editing a weight, a bias or a PReLU slope by hand), or one of the hidden layers' own
# settings (a HiddenLayerConfig field: "activation", "dropout", "noise_sigma",
# "batch_norm") on every layer at once ("hidden" is the layers and their neurons)
LAYER_CONTROLS = ("activation", "dropout", "noise_sigma", "batch_norm")
CONTROLS = tuple(Config.model_fields) + ("weights",) + LAYER_CONTROLS
Control = Literal[CONTROLS]  # type: ignore[valid-type]


class Text(BaseModel):
    """The same words in both languages."""

    model_config = ConfigDict(extra="forbid")

    en: str = Field(min_length=1, max_length=4000)
    zh: str = Field(min_length=1, max_length=4000)


class Params(BaseModel):
    """Parameters to start from, as PUT /params takes them."""

    model_config = ConfigDict(extra="forbid")

    weights: list[list[list[float]]]
    biases: list[list[float]]
    prelu_slopes: list[list[float] | None] | None = None


class Start(BaseModel):
    """What a lesson (a whole config) or a step (a patch of it) sets when it begins:
    `reset` gives a step fresh weights from the seed, `params` replace the weights."""

    model_config = ConfigDict(extra="forbid")

    config: dict = Field(default_factory=dict)
    reset: bool = False
    params: Params | None = None


class LessonGoal(BaseModel):
    """One goal of a task; its text defaults to the goal's own words (goals.describe)."""

    model_config = ConfigDict(extra="forbid")

    id: Id
    check: Goal
    text: Text | None = None

    @model_validator(mode="after")
    def _has_text(self) -> LessonGoal:
        if self.text is None:
            if not isinstance(self.check, Predicate):
                raise ValueError(f"goal {self.id!r} combines checks: give it a text")
            self.text = Text(**describe(self.check))
        return self


class Solution(BaseModel):
    """One way to meet a task's goals: what the page shows when asked, and what the test
    suite does over the API to prove the task can be done (settings patched, fresh
    weights or given ones, then training)."""

    model_config = ConfigDict(extra="forbid")

    text: Text
    config: dict = Field(default_factory=dict)
    reset: bool = False
    params: Params | None = None
    epochs: int = Field(0, ge=0, le=20_000)

    @field_validator("config")
    @classmethod
    def _a_patch(cls, config: dict) -> dict:
        ConfigPatch.model_validate(config)
        return config


class Task(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["task"]
    text: Text
    goals: list[LessonGoal] = Field(min_length=1, max_length=8)
    hints: list[Text] = Field(default_factory=list, max_length=6)
    explanation: Text | None = None
    start: Start | None = None
    solution: Solution | None = None   # every lesson file gives one (its tests use it)


class Question(BaseModel):
    """Multiple choice (`choices`, `answer` the index of the right one) or a number
    (`answer`, right within `tolerance`)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["question"]
    text: Text
    choices: list[Text] | None = Field(None, min_length=2, max_length=8)
    answer: float
    tolerance: float = Field(0.0, ge=0.0)
    hints: list[Text] = Field(default_factory=list, max_length=6)
    explanation: Text
    start: Start | None = None

    @model_validator(mode="after")
    def _answerable(self) -> Question:
        if self.choices is not None and (self.answer != int(self.answer)
                                         or not 0 <= self.answer < len(self.choices)):
            raise ValueError(f"answer {self.answer} is not the index of one of the "
                             f"{len(self.choices)} choices")
        return self

    def correct(self, answer: float) -> bool:
        if self.choices is not None:
            return answer == self.answer
        return math.isfinite(answer) and abs(answer - self.answer) <= self.tolerance


Step = Annotated[Union[Task, Question], Field(discriminator="kind")]


class Lesson(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Id
    order: int
    title: Text
    summary: Text
    text: Text
    start: Start
    locked: list[Control] = Field(default_factory=list)
    hidden: list[Control] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1, max_length=20)

    @field_validator("start")
    @classmethod
    def _whole_config(cls, start: Start) -> Start:
        Config.model_validate(start.config)   # a lesson starts from a valid playground
        return start

    @model_validator(mode="after")
    def _step_patches(self) -> Lesson:
        for i, step in enumerate(self.steps):
            if step.start is not None:
                try:
                    ConfigPatch.model_validate(step.start.config)
                except ValueError as exc:
                    raise ValueError(f"step {i}: {exc}") from None
        return self

    def config(self) -> Config:
        return Config.model_validate(self.start.config)

    def listing(self) -> dict:
        """The short form GET /api/lessons lists."""
        return {"id": self.id, "title": self.title.model_dump(),
                "summary": self.summary.model_dump(), "steps": len(self.steps)}


def load(path: Path) -> Lesson:
    """One lesson file, validated; its id must be its file name."""
    lesson = Lesson.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    if lesson.id != path.stem:
        raise ValueError(f"{path.name}: id {lesson.id!r} is not the file's name")
    return lesson


@cache
def lessons() -> dict[str, Lesson]:
    """Every lesson in this folder, in teaching order."""
    found = [load(p) for p in sorted(FOLDER.glob("*.yaml"))]
    return {lesson.id: lesson for lesson in sorted(found, key=lambda x: (x.order, x.id))}
