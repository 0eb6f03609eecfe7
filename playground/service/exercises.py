"""Exercises a teacher makes (API.md 6.3): a playground, goals from the same predicates as
the lessons', locked and hidden controls and a prompt, kept in the store under an id. The
link names only the id, so editing the link can't change the goals. A learner plays an
exercise as a one-task lesson (`as_lesson`), with the same player and the same checks.
"""

from __future__ import annotations

import secrets

from pydantic import BaseModel, ConfigDict, Field, model_validator

from . import own_data
from .config import Config, Limits
from .errors import Refused, RuleBroken
from .goals import AllOf, AnyOf, Goal, Predicate, check_reachable, describe, goal_list
from .lessons import Control, Lesson, Params, Text
from .store import SessionStore

KIND = "exercise"
PREFIX = "exercise-"      # an exercise's id as the lesson player knows it
ID_PATTERN = r"^[0-9a-f]{10}$"
MAX_GOALS = 8


class Prompt(BaseModel):
    """What the teacher asks, in one language or both."""

    model_config = ConfigDict(extra="forbid")

    en: str = Field("", max_length=2000)
    zh: str = Field("", max_length=2000)

    @model_validator(mode="after")
    def _some_words(self) -> Prompt:
        if not (self.en.strip() or self.zh.strip()):
            raise RuleBroken("write the prompt in English or Chinese (or both)", "empty_prompt")
        return self

    def both(self) -> Text:
        """Both languages, the missing one said in the other."""
        return Text(en=self.en.strip() or self.zh.strip(), zh=self.zh.strip() or self.en.strip())


class Exercise(BaseModel):
    """An exercise as a teacher makes it (POST /api/exercises) and as it is kept."""

    model_config = ConfigDict(extra="forbid")

    config: Config = Field(default_factory=Config)
    params: Params | None = None
    locked: list[Control] = Field(default_factory=list)
    hidden: list[Control] = Field(default_factory=list)
    prompt: Prompt
    goals: goal_list(MAX_GOALS)  # type: ignore[valid-type]


def create(store: SessionStore, exercise: Exercise) -> str:
    """Keep the exercise (its goals reachable: goals.check_reachable); its new id."""
    check_reachable(exercise.goals)
    exercise_id = secrets.token_hex(5)
    own_data.keep(store, exercise.config.dataset, Limits.exercise_days)   # as long as it
    store.put_document(KIND, exercise_id, exercise.model_dump(mode="json", by_alias=True),
                       ttl=Limits.exercise_days * 86400)
    return exercise_id


def find(store: SessionStore, exercise_id: str) -> Exercise:
    body = store.get_document(KIND, exercise_id) if _well_formed(exercise_id) else None
    if body is None:
        raise Refused(f"no exercise {exercise_id!r} (its link may have expired: an exercise "
                      f"is kept {Limits.exercise_days} days)", "unknown_exercise",
                      {"exercise_id": exercise_id[:40]}, status=404)
    return Exercise.model_validate(body)


def _well_formed(exercise_id: str) -> bool:
    return len(exercise_id) == 10 and all(c in "0123456789abcdef" for c in exercise_id)


def link(exercise_id: str) -> str:
    return f"/?exercise={exercise_id}"


# the lesson text above the prompt (the prompt itself is the task's text)
INTRO = {"en": "An exercise from your teacher: the server checks its goals while you train.",
         "zh": "老师布置的练习：你训练时，服务器会检查下面的目标。"}

# what a combined goal says (its parts are checked one by one, but shown as one line)
COMBINED = {AllOf: {"en": "all of several conditions", "zh": "同时满足几个条件"},
            AnyOf: {"en": "one of several conditions", "zh": "满足几个条件之一"}}


def as_lesson(exercise_id: str, exercise: Exercise) -> Lesson:
    """The exercise as a lesson of one task: the prompt, the goals, its playground."""
    prompt = exercise.prompt.both()
    goals = []
    for k, goal in enumerate(exercise.goals):
        text = describe(goal) if isinstance(goal, Predicate) else COMBINED[type(goal)]
        goals.append({"id": f"g{k + 1}", "check": goal, "text": text})
    return Lesson.model_validate({
        "id": PREFIX + exercise_id, "order": 0,
        "title": {"en": "Exercise", "zh": "练习"}, "summary": prompt, "text": INTRO,
        "start": {"config": exercise.config.model_dump(mode="json"),
                  "params": exercise.params},
        "locked": exercise.locked, "hidden": exercise.hidden,
        "steps": [{"kind": "task", "text": prompt, "goals": goals}],
    })
