"""Exercises a teacher makes (API.md 6.3): kept under an id; a learner opens one as a
lesson (POST /sessions/{id}/lesson with lesson_id "exercise-<id>")."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from pydantic import BaseModel

from ...service import exercises
from ..deps import ERRORS, Pool, Store, admit_creation

router = APIRouter(prefix="/api", responses=ERRORS)


class ExerciseMade(BaseModel):
    id: str
    link: str


@router.post("/exercises", response_model=ExerciseMade, status_code=status.HTTP_201_CREATED)
async def make_exercise(body: exercises.Exercise, request: Request, store: Store,
                        pool: Pool) -> dict:
    """Keep an exercise (a playground, goals, locked and hidden controls, a prompt); its id
    and the link that opens it. The goals live on the server: the link names only the id."""
    admit_creation(request)
    exercise_id = await pool.run(lambda: exercises.create(store, body), "light")
    return {"id": exercise_id, "link": exercises.link(exercise_id)}


@router.get("/exercises/{exercise_id}", response_model=exercises.Exercise,
            response_model_by_alias=True, response_model_exclude_none=True)
async def read_exercise(exercise_id: str, store: Store, pool: Pool) -> dict:
    """The exercise as its teacher made it (404 unknown_exercise)."""
    found = await pool.run(lambda: exercises.find(store, exercise_id), "light")
    return found.model_dump(mode="json", by_alias=True)
