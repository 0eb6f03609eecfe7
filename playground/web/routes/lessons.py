"""Lessons (API.md 6.3): the list, one lesson, and a session's way through one."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ...service import exercises
from ...service.errors import Refused
from ...service.lessons import Lesson, lessons
from ...service.lessons import progress as lesson_progress
from ..deps import ERRORS, Pool, Read, Store, Work, answer
from ..lesson_schemas import (AnswerResult, LessonAnswer, LessonListing, LessonStart,
                              LessonState, LessonView)
from ..schemas import Snapshot

router = APIRouter(prefix="/api", responses=ERRORS)


@router.get("/lessons", response_model=list[LessonListing])
async def list_lessons() -> list[dict]:
    """Every lesson, in teaching order: id, title, summary, number of steps."""
    return [lesson.listing() for lesson in lessons().values()]


@router.get("/lessons/{lesson_id}", response_model=LessonView,
            response_model_exclude_none=True, response_model_by_alias=True)
async def read_lesson(lesson_id: str, store: Store, pool: Pool) -> dict:
    """The whole lesson (a question's answer stays on the server); "exercise-<id>" is a
    teacher's exercise as the lesson player plays it."""
    return (await lesson_of(lesson_id, store, pool)).model_dump(by_alias=True)


async def lesson_of(lesson_id: str, store: Store, pool: Pool) -> Lesson:
    """A lesson file, or a teacher's exercise as a one-task lesson."""
    if lesson_id.startswith(exercises.PREFIX):
        exercise_id = lesson_id.removeprefix(exercises.PREFIX)
        found = await pool.run(lambda: exercises.find(store, exercise_id), "light")
        return exercises.as_lesson(exercise_id, found)
    return lesson_progress.lesson_named(lesson_id)


@router.post("/sessions/{session_id}/lesson", response_model=Snapshot)
async def start_lesson(body: LessonStart, work: Work, store: Store, pool: Pool) -> Response:
    """Start a lesson in this session (its playground replaces the session's), or move to
    another step of the lesson under way; the snapshot's `lesson` says where it is. A
    teacher's exercise is the lesson "exercise-<its id>"."""
    lesson = await lesson_of(body.lesson_id, store, pool)
    return await work.edit(lambda s: lesson_progress.begin(s, body.lesson_id, body.step, lesson))


@router.delete("/sessions/{session_id}/lesson", response_model=Snapshot)
async def leave_lesson(work: Work) -> Response:
    """Leave the lesson; the playground stays as it is."""
    return await work.edit(lesson_progress.leave)


@router.get("/sessions/{session_id}/lesson", response_model=LessonState)
async def lesson_state(read: Read) -> Response:
    """The lesson under way, the current task's goals checked now (404 no_lesson)."""
    def run(s) -> Response:
        found = lesson_progress.state(s)
        if found is None:
            raise Refused("no lesson is under way in this session; POST /lesson starts one",
                          "no_lesson", status=404)
        return answer(LessonState, found)
    return await read(run)


@router.post("/sessions/{session_id}/lesson/answer", response_model=AnswerResult)
async def answer_question(body: LessonAnswer, work: Work) -> Response:
    """Check an answer to a question step: right or not, and the explanation."""
    return await work(lambda s: answer(AnswerResult,
                                       lesson_progress.answer(s, body.step, body.answer)))
