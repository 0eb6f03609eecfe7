"""The goal menu (API.md 6.3): every metric a goal can read and every control a lesson or
an exercise may lock or hide, read from the server's own tables (service/goals.py
METRICS, service/lessons CONTROLS), so the page's "make this an exercise" offers exactly
what the server checks."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ...service.exercises import MAX_GOALS
from ...service.goals import METRICS
from ...service.lessons import CONTROLS, Text
from ..deps import ERRORS

router = APIRouter(prefix="/api", responses=ERRORS)


class GoalMetric(BaseModel):
    id: str
    name: Text = Field(description="what the page calls it, in English and Chinese")
    kind: Literal["number", "name"]
    needs: list[Literal["layer", "node", "point"]] = Field(
        description="the goal fields it reads besides op and value (or is)")
    ops: list[Literal["<", "<=", ">", ">=", "==", "is"]] = Field(
        description="a number's comparisons; a name is checked with `is`")
    names: list[str] | None = Field(description="a name metric: the names it can read")


class GoalMenu(BaseModel):
    metrics: list[GoalMetric]
    controls: list[str] = Field(description="what an exercise may lock or hide on the page")
    max_goals: int = Field(description="the most goals an exercise has")


@router.get("/goals", response_model=GoalMenu)
async def goal_menu() -> dict:
    """Every metric a goal can read (its names, the fields it needs, its comparisons) and
    the controls an exercise may lock or hide."""
    return {"metrics": [row.listing() for row in METRICS.values()],
            "controls": list(CONTROLS), "max_goals": MAX_GOALS}
