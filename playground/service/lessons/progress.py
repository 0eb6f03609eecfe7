"""A learner's way through a lesson, kept in their session (and its stored record).

Starting a lesson sets the session to the lesson's playground; moving to a step applies
that step's `start`. A task's step is done once all its goals are met at the same time
(checked whenever the session's lesson state is read: every snapshot and frame carries
it), a question's once it is answered right; done stays done, so training on past the
goal never takes a success away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..config import ConfigPatch
from ..errors import Refused
from ..goals import check
from . import Lesson, Question, Start, lessons

if TYPE_CHECKING:
    from ..sessions import Session


@dataclass
class Progress:
    """Where a learner is in a lesson: the step shown and the steps done."""

    lesson_id: str
    step: int = 0
    done: list[bool] = field(default_factory=list)
    answers: dict[int, float] = field(default_factory=dict)  # a question's last answer
    lesson: dict | None = None   # a lesson not in the folder (a teacher's exercise), whole

    def to_dict(self) -> dict:
        return {"lesson_id": self.lesson_id, "step": self.step, "done": list(self.done),
                "answers": {str(k): v for k, v in self.answers.items()},
                "lesson": self.lesson}

    @classmethod
    def from_dict(cls, d: dict) -> Progress:
        return cls(d["lesson_id"], int(d["step"]), [bool(x) for x in d["done"]],
                   {int(k): float(v) for k, v in d["answers"].items()}, d.get("lesson"))

    def the_lesson(self) -> Lesson | None:
        """The lesson this progress is in (None: a lesson file removed since)."""
        if self.lesson is None:
            return lessons().get(self.lesson_id)
        found = _carried.get(self.lesson_id)
        if found is None:
            found = _carried[self.lesson_id] = Lesson.model_validate(self.lesson)
            while len(_carried) > 256:
                _carried.pop(next(iter(_carried)))
        return found


# the lessons sessions carry (exercises), validated once per process: they never change
_carried: dict[str, Lesson] = {}


def lesson_named(lesson_id: str) -> Lesson:
    found = lessons().get(lesson_id)
    if found is None:
        raise Refused(f"no lesson {lesson_id!r}; GET /api/lessons lists them", "unknown_id",
                      {"field": "lesson_id", "value": lesson_id, "allowed": list(lessons())},
                      status=404)
    return found


def _step_index(lesson: Lesson, step: int) -> int:
    if not 0 <= step < len(lesson.steps):
        raise Refused(f"lesson {lesson.id!r} has steps 0 to {len(lesson.steps) - 1}",
                      "out_of_range", {"field": "step", "value": step, "min": 0,
                                       "max": len(lesson.steps) - 1})
    return step


def _apply(session: Session, start: Start | None) -> None:
    if start is None:
        return
    if start.config:
        session.patch_config(ConfigPatch.model_validate(start.config))
    if start.reset:
        session.reset()
    if start.params is not None:
        p = start.params
        session.set_params(p.weights, p.biases, p.prelu_slopes)


def begin(session: Session, lesson_id: str, step: int | None = None,
          lesson: Lesson | None = None) -> None:
    """Start the lesson (its playground, step 0 or `step`); in the lesson under way, move
    to another `step` (its start applied, the playground otherwise as it is), or start the
    step it is on again (its playground as on first arriving there: the lesson's start and
    every step's start up to it; what is done stays done). `lesson`: one that is not a
    lesson file (an exercise), carried in the progress."""
    lesson = lesson or lesson_named(lesson_id)
    current = session.lesson
    if current is not None and current.lesson_id == lesson_id:
        target = _step_index(lesson, current.step if step is None else step)
        if target != current.step:
            _apply(session, lesson.steps[target].start)
            current.step = target
        elif step is not None:
            _arrive(session, lesson, target)
        return
    target = _step_index(lesson, step or 0)
    _arrive(session, lesson, target)
    carried = None if lesson.id in lessons() else lesson.model_dump(mode="json", by_alias=True)
    session.lesson = Progress(lesson_id, target, [False] * len(lesson.steps), lesson=carried)


def _arrive(session: Session, lesson: Lesson, target: int) -> None:
    """The playground of a learner arriving at step `target`: the lesson's own, then each
    step's start in turn."""
    session.start_over(lesson.config())
    _apply(session, Start(params=lesson.start.params) if lesson.start.params else None)
    for k in range(target + 1):
        _apply(session, lesson.steps[k].start)


def leave(session: Session) -> None:
    session.lesson = None


def state(session: Session) -> dict | None:
    """The lesson under way: {"lesson_id", "step", "steps": [{"kind", "goals", "done"}]}
    with the current task's goals checked now (and the steps now met marked done)."""
    progress = session.lesson
    if progress is None:
        return None
    lesson = progress.the_lesson()
    if lesson is None:        # a lesson removed since: the session goes on without it
        session.lesson = None
        return None
    steps = []
    for k, step in enumerate(lesson.steps):
        goals = []
        if step.kind == "task":
            live = k == progress.step
            for g in step.goals:
                checked = check(g.check, session) if live else None
                goals.append({"id": g.id, "text": g.text.model_dump(),
                              "met": checked.met if checked else progress.done[k],
                              "value": checked.value if checked else None,
                              "target": checked.target if checked else None})
            if live and goals and all(g["met"] for g in goals):
                progress.done[k] = True
        steps.append({"kind": step.kind, "goals": goals, "done": progress.done[k]})
    return {"lesson_id": lesson.id, "step": progress.step, "steps": steps}


def answer(session: Session, step: int, given: float) -> dict:
    """Check an answer to a question step: {"correct", "explanation"}."""
    progress = session.lesson
    if progress is None:
        raise Refused("no lesson is under way in this session; POST /lesson starts one",
                      "no_lesson", status=409)
    lesson = progress.the_lesson() or lesson_named(progress.lesson_id)
    question = lesson.steps[_step_index(lesson, step)]
    if not isinstance(question, Question):
        raise Refused(f"step {step} is a task, not a question", "not_a_question",
                      {"step": step})
    correct = question.correct(given)
    progress.answers[step] = given
    progress.done[step] = progress.done[step] or correct
    return {"correct": correct, "explanation": question.explanation.model_dump()}
