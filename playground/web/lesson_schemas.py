"""Request and response models of the lesson routes (API.md 6.3). The lesson files'
own models are service/lessons; what a page is sent leaves out a question's answer."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from ..service.lessons import Start, Task, Text

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


class LessonListing(BaseModel):
    id: str
    title: Text
    summary: Text
    steps: int = Field(description="how many steps the lesson has")


class GoalState(BaseModel):
    id: str
    text: Text
    met: bool
    value: float | str | None = Field(
        None, description="the number or name read now (only for the step under way)")
    target: str | None = Field(None, description='what is asked, e.g. "< 0.2" or "relu"')


class StepState(BaseModel):
    kind: str = Field(description='"task" or "question"')
    goals: list[GoalState]
    done: bool


class LessonState(BaseModel):
    """Where the session is in its lesson; a task's goals checked on its numbers now."""

    lesson_id: str
    step: int
    steps: list[StepState]


class LessonStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lesson_id: str = Field(max_length=64)
    step: int | None = Field(None, ge=0, le=100)


class LessonAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: int = Field(ge=0, le=100)
    answer: FiniteFloat = Field(description="a choice's index, or the number predicted")


class AnswerResult(BaseModel):
    correct: bool
    explanation: Text


class QuestionView(BaseModel):
    """A question as the page gets it: no answer, no explanation (that comes back from
    POST /lesson/answer)."""

    kind: Literal["question"]
    text: Text
    choices: list[Text] | None = None    # None (left out): a number is asked for
    hints: list[Text]
    start: Start | None = None


class LessonView(BaseModel):
    """A whole lesson: texts, the starting playground, locked and hidden controls, steps."""

    id: str
    order: int
    title: Text
    summary: Text
    text: Text
    start: Start
    locked: list[str]
    hidden: list[str]
    steps: list[Annotated[Union[Task, QuestionView], Field(discriminator="kind")]]
