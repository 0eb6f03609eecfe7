"""Response models of the class routes (API.md 6.3); the requests' models are the
service's own (service/classes.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..service.config import Config
from .schemas import DataResponse, Heatmaps, Snapshot, U8Grid


class ClassMade(BaseModel):
    code: str = Field(description="the join code students type (6 letters and digits)")
    name: str
    teacher_key: str = Field(description="the dashboard's secret: send it as X-Teacher-Key")
    dashboard_link: str = Field(description="the dashboard page; the key rides in the #fragment, "
                                            "which browsers never send to a server")
    join_link: str


class Joined(BaseModel):
    student_id: str
    name: str
    class_name: str
    code: str
    session: Snapshot


class Message(BaseModel):
    """The last thing sent to everyone (seq 0: nothing yet)."""

    model_config = ConfigDict(extra="forbid")

    seq: int
    sent_at: str | None = None
    lesson_id: str | None = None
    exercise_id: str | None = None
    config: Config | None = None


class Sent(Message):
    students: int = Field(description="how many students the class has")


class Inbox(BaseModel):
    code: str
    name: str
    broadcast: Message


class Boundary(BaseModel):
    resolution: int
    output: U8Grid
    output_class: U8Grid | None = None
    kind: Literal["binary", "multiclass", "regression"]
    classes: int | None


class StudentRow(BaseModel):
    student_id: str
    name: str
    session_id: str
    status: Literal["ok", "busy", "gone"] = Field(
        description="gone: the session expired; busy: it was training a long call, so the "
                    "row shows what it showed last")
    lesson_id: str | None
    step: int | None
    goals_met: int = Field(description="goals of the current step met now")
    goals_total: int
    steps_done: int
    steps_total: int
    best_test_loss: float | None
    test_loss: float | None
    units: int | None = Field(description="hidden neurons in all")
    layers: list[int] | None = Field(description="hidden neurons per layer")
    epoch: int | None
    dataset: str | None
    diverged: bool
    last_seen: str | None = Field(description="ISO 8601 UTC: when the student's page last "
                                              "used the session")
    boundary: Boundary | None = None


class Dashboard(BaseModel):
    code: str
    name: str
    now: str = Field(description="the server's time (ISO 8601 UTC), to read last_seen against")
    expires: str
    broadcast: Message | None
    students: list[StudentRow]


class Spotlight(BaseModel):
    student_id: str
    name: str
    last_seen: str
    session: Snapshot
    heatmaps: Heatmaps
    data: DataResponse
