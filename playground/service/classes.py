"""A class (API.md 6.3): a teacher creates one and gets a short join code for the students
and a secret key for the dashboard; students join with a display name, no accounts, each
getting a session of their own bound to the class. The dashboard looks at every student's
session without touching it (the store's `peek`: their idle time is not renewed, their
worker keeps serving their frames); "send to everyone" leaves a numbered message that
each student's page picks up.

Everything is a store document and expires with it: the class (`class`, by code) and one
per student (`student:<code>`, by student id), so thirty students joining at once never
write the same document.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
import unicodedata
from datetime import datetime, timezone
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from . import exercises, own_data
from .config import Config, Limits
from .errors import Refused
from .lessons import progress as lesson_progress
from .sessions import Session
from .store import SessionStore

KIND = "class"
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I: read off a projector
CODE_LENGTH = 6
NAME_CHARS = 40


def _display_name(value: str) -> str:
    """A name as others will read it: trimmed, no control characters, not empty."""
    value = " ".join(value.split())
    if any(unicodedata.category(c).startswith("C") for c in value):
        raise ValueError("a name may not hold control characters")
    if not value:
        raise ValueError("write a name")
    return value


DisplayName = Annotated[str, Field(max_length=NAME_CHARS), AfterValidator(_display_name)]


class NewClass(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: DisplayName


class Joining(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: DisplayName


class Broadcast(BaseModel):
    """What a teacher sends to everyone: a lesson, an exercise or a starting playground."""

    model_config = ConfigDict(extra="forbid")

    lesson_id: str | None = Field(None, max_length=80)
    exercise_id: str | None = Field(None, max_length=40)
    config: Config | None = None

    @model_validator(mode="after")
    def _one_thing(self) -> Broadcast:
        given = [k for k in ("lesson_id", "exercise_id", "config") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("send exactly one of lesson_id, exercise_id or config")
        return self


# ---------------------------------------------------------------------------- the class
def _iso(when: float) -> str:
    return datetime.fromtimestamp(when, timezone.utc).isoformat(timespec="seconds")


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(store: SessionStore, name: str) -> dict:
    """A new class: {"code", "teacher_key", "name"}. Only the key's hash is kept."""
    for _ in range(20):
        code = "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))
        if store.get_document(KIND, code) is None:
            break
    else:  # 32^6 codes: only a store holding most of them gets here
        raise store.full(store.protected_idle)
    key = secrets.token_urlsafe(18)
    now = time.time()
    body = {"name": name, "key_hash": _key_hash(key), "created": now,
            "until": now + Limits.class_hours * 3600, "broadcast": None}
    store.put_document(KIND, code, body, ttl=Limits.class_hours * 3600)
    return {"code": code, "teacher_key": key, "name": name}


def normal_code(code: str) -> str:
    """A join code as typed (any case, spaces or a dash inside) in its stored form."""
    return "".join(c for c in code.upper() if c.isalnum())[:CODE_LENGTH * 2]


def find(store: SessionStore, code: str) -> dict:
    code = normal_code(code)
    body = store.get_document(KIND, code) if len(code) == CODE_LENGTH else None
    if body is None:
        raise Refused(f"no class with the code {code!r} (a class is kept "
                      f"{Limits.class_hours} hours)", "unknown_class", {"code": code},
                      status=404)
    return body


def as_teacher(store: SessionStore, code: str, key: str | None) -> dict:
    """The class, for its teacher only (403 wrong_teacher_key: no key, or not its key)."""
    body = find(store, code)
    if not key or not hmac.compare_digest(_key_hash(key), body["key_hash"]):
        raise Refused("this needs the class's teacher key, sent in the X-Teacher-Key header",
                      "wrong_teacher_key", status=403)
    return body


def _left(body: dict) -> float:
    return max(1.0, body["until"] - time.time())


# ---------------------------------------------------------------------------- students
def _students(store: SessionStore, code: str) -> list[tuple[str, dict]]:
    found = store.list_documents(f"student:{code}", Limits.max_class_students + 8)
    return sorted(found, key=lambda s: (s[1]["joined"], s[0]))


def join(store: SessionStore, code: str, name: str) -> tuple[str, dict, Session]:
    """A student joins: (student id, the class, their new session)."""
    code = normal_code(code)
    body = find(store, code)
    if len(_students(store, code)) >= Limits.max_class_students:
        raise Refused(f"the class has the most students it may ({Limits.max_class_students})",
                      "class_full", {"max": Limits.max_class_students}, status=409)
    session = store.create(Config())
    student_id = secrets.token_hex(4)
    store.put_document(f"student:{code}", student_id,
                       {"name": name, "session_id": session.id, "joined": time.time()},
                       ttl=_left(body))
    return student_id, body, session


def _student(store: SessionStore, code: str, student_id: str) -> dict:
    found = store.get_document(f"student:{code}", student_id) if len(student_id) <= 16 else None
    if found is None:
        raise Refused(f"no student {student_id[:16]!r} in this class", "unknown_student",
                      {"student_id": student_id[:16]}, status=404)
    return found


# ---------------------------------------------------------------------------- looking on
def summary(session: Session) -> dict:
    """What the dashboard shows of one session (read with its lock held)."""
    lesson = lesson_progress.state(session)
    row: dict = {"lesson_id": None, "step": None, "goals_met": 0, "goals_total": 0,
                 "steps_done": 0, "steps_total": 0}
    if lesson is not None:
        current = lesson["steps"][lesson["step"]]
        row.update(lesson_id=lesson["lesson_id"], step=lesson["step"],
                   goals_met=sum(g["met"] for g in current["goals"]),
                   goals_total=len(current["goals"]),
                   steps_done=sum(s["done"] for s in lesson["steps"]),
                   steps_total=len(lesson["steps"]))
    losses = [p["test_loss"] for p in session.history.points
              if p.get("test_loss") is not None and math.isfinite(p["test_loss"])]
    test_loss = session.metrics().get("test_loss")
    hidden = [h.units for h in session.net.hidden]
    row.update(best_test_loss=min(losses) if losses else None,
               test_loss=test_loss if test_loss is not None and math.isfinite(test_loss) else None,
               units=sum(hidden), layers=hidden, epoch=session.trainer.epoch,
               dataset=session.config.dataset, diverged=session.trainer.diverged)
    return row


def boundary(session: Session, resolution: int) -> dict:
    """The decision surface as a small u8 grid (the output, and the winning class when
    there are more than two)."""
    grids = session.heatmaps(resolution, "u8", nodes=False)
    found = {"resolution": resolution, "output": grids["output"],
             "kind": session.data.kind,
             "classes": None if session.data.kind == "regression" else session.data.classes}
    if "output_class" in grids:
        found["output_class"] = grids["output_class"]
    return found


# the last summary of each session looked at: a session busy past the short wait (training
# a big call) shows what it showed last time instead of holding up the dashboard
_last_rows: dict[str, dict] = {}


def _look(store: SessionStore, session_id: str, boundaries: int | None) -> tuple[dict, str]:
    """(summary, status) of one student's session: "ok", "busy" (last known) or "gone"."""
    try:
        with store.peek(session_id) as found:
            if found is None:
                _last_rows.pop(session_id, None)
                return {}, "gone"
            session, last_used = found
            row = summary(session) | {"last_seen": _iso(last_used)}
            if boundaries:
                row["boundary"] = boundary(session, boundaries)
    except Refused:      # busy
        return _last_rows.get(session_id, {}), "busy"
    _last_rows[session_id] = row
    while len(_last_rows) > 4096:
        _last_rows.pop(next(iter(_last_rows)))
    return row, "ok"


EMPTY_ROW = {"lesson_id": None, "step": None, "goals_met": 0, "goals_total": 0,
             "steps_done": 0, "steps_total": 0, "best_test_loss": None, "test_loss": None,
             "units": None, "layers": None, "epoch": None, "dataset": None,
             "diverged": False, "last_seen": None}


def dashboard(store: SessionStore, code: str, key: str | None,
              boundaries: int | None = None) -> dict:
    """Every student's row; with `boundaries`, each one's decision surface at that many
    cells a side."""
    code = normal_code(code)
    body = as_teacher(store, code, key)
    students = []
    for student_id, student in _students(store, code)[:Limits.max_class_students]:
        row, status = _look(store, student["session_id"], boundaries)
        students.append(EMPTY_ROW | row | {"student_id": student_id, "name": student["name"],
                                           "session_id": student["session_id"],
                                           "status": status})
    return {"code": code, "name": body["name"], "now": _iso(time.time()),
            "expires": _iso(body["until"]), "broadcast": body["broadcast"],
            "students": students}


def spotlight(store: SessionStore, code: str, key: str | None, student_id: str,
              resolution: int = 50, node_resolution: int = 16) -> dict:
    """One student's playground, read-only: the snapshot, its heatmaps and its points."""
    code = normal_code(code)
    as_teacher(store, code, key)
    student = _student(store, code, student_id)
    with store.peek(student["session_id"], wait=1.0) as found:
        if found is None:
            raise Refused(f"{student['name']}'s session has expired", "unknown_session",
                          {"session_id": student["session_id"][:8]}, status=404)
        session, last_used = found
        return {"student_id": student_id, "name": student["name"],
                "last_seen": _iso(last_used), "session": session.snapshot(),
                "heatmaps": session.heatmaps(resolution, "u8", node_resolution),
                "data": session.data_points()}


# ---------------------------------------------------------------------------- sending
def broadcast(store: SessionStore, code: str, key: str | None, message: Broadcast) -> dict:
    """Leave `message` for every student's page, numbered one past the last."""
    code = normal_code(code)
    body = as_teacher(store, code, key)
    if message.lesson_id is not None:
        lesson_progress.lesson_named(message.lesson_id)      # 404 unknown_id
    if message.exercise_id is not None:
        exercises.find(store, message.exercise_id)           # 404 unknown_exercise
    if message.config is not None:                           # own data: 404 unknown_dataset
        own_data.keep(store, message.config.dataset, Limits.class_hours / 24)
    last = body["broadcast"]["seq"] if body["broadcast"] else 0
    sent = {"seq": last + 1, "sent_at": _iso(time.time()),
            **message.model_dump(mode="json", exclude_none=True)}
    store.put_document(KIND, code, body | {"broadcast": sent}, ttl=_left(body))
    return sent | {"students": len(_students(store, code))}


def inbox(store: SessionStore, code: str) -> dict:
    """What a student's page reads every few seconds: the class's name and the last
    message sent to everyone ({"seq": 0} before the first)."""
    code = normal_code(code)
    body = find(store, code)
    return {"code": code, "name": body["name"],
            "broadcast": body["broadcast"] or {"seq": 0}}
