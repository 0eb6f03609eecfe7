"""Classes (API.md 6.3): make one, join it, the teacher's dashboard, spotlight, send to
everyone, and what a student's page reads for what was sent."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status

from ...service import classes
from ..class_schemas import ClassMade, Dashboard, Inbox, Joined, Sent, Spotlight
from ..deps import ERRORS, Pool, Store, admit_creation, answer

router = APIRouter(prefix="/api/classes", tags=["classes"],
                   responses=ERRORS | {403: ERRORS[404]})
TeacherKey = Annotated[str | None, Header(alias="X-Teacher-Key", max_length=200)]


@router.post("", response_model=ClassMade, status_code=status.HTTP_201_CREATED)
async def make_class(body: classes.NewClass, request: Request, store: Store,
                     pool: Pool) -> dict:
    """A new class: the join code for students, the teacher key for the dashboard (shown
    once: only its hash is kept), and the two links."""
    admit_creation(request)
    made = await pool.run(lambda: classes.create(store, body.name), "light")
    return made | {"dashboard_link": f"/class?code={made['code']}#key={made['teacher_key']}",
                   "join_link": f"/?class={made['code']}"}


@router.post("/{code}/students", response_model=Joined, status_code=status.HTTP_201_CREATED)
async def join_class(code: str, body: classes.Joining, request: Request, store: Store,
                     pool: Pool) -> Response:
    """Join with a display name: a session of one's own, bound to the class."""
    admit_creation(request)

    def join() -> Response:
        student_id, klass, session = classes.join(store, code, body.name)
        with session.lock:   # nobody else knows it yet
            snapshot = session.snapshot()
        return answer(Joined, {"student_id": student_id, "name": body.name,
                               "class_name": klass["name"], "code": classes.normal_code(code),
                               "session": snapshot}, status.HTTP_201_CREATED)
    return await pool.run(join)


@router.get("/{code}", response_model=Dashboard)
async def dashboard(code: str, store: Store, pool: Pool, key: TeacherKey = None,
                    boundaries: Annotated[int | None, Query(ge=8, le=40)] = None) -> Response:
    """Every student live (403 without the class's teacher key); `boundaries=N` adds each
    one's decision surface, N cells a side, for the gallery."""
    found = await pool.run(lambda: classes.dashboard(store, code, key, boundaries))
    return answer(Dashboard, found)


@router.get("/{code}/students/{student_id}/spotlight", response_model=Spotlight)
async def spotlight(code: str, student_id: str, store: Store, pool: Pool,
                    key: TeacherKey = None) -> Response:
    """One student's network, read-only, for the projector (403 without the key)."""
    found = await pool.run(lambda: classes.spotlight(store, code, key, student_id))
    return answer(Spotlight, found)


@router.post("/{code}/broadcast", response_model=Sent, response_model_exclude_none=True)
async def send_to_everyone(code: str, body: classes.Broadcast, store: Store, pool: Pool,
                           key: TeacherKey = None) -> Response:
    """Send a lesson, an exercise or a starting playground to every student's page (each
    picks it up within a few seconds from GET /broadcast)."""
    sent = await pool.run(lambda: classes.broadcast(store, code, key, body), "light")
    return answer(Sent, sent, exclude_none=True)


@router.get("/{code}/broadcast", response_model=Inbox, response_model_exclude_none=True)
async def inbox(code: str, store: Store, pool: Pool) -> Response:
    """What a student's page reads every few seconds: the class's name and the last message
    sent to everyone (seq 0 before the first). The join code is all it needs."""
    found = await pool.run(lambda: classes.inbox(store, code), "light")
    return answer(Inbox, found, exclude_none=True)
