"""Class mode (API.md 6.3) over HTTP: a teacher makes a class, thirty students join with
names and work through a lesson, the dashboard shows each one as they are, spotlight
shows one student's network read-only, "send to everyone" reaches what the students'
pages read, and nothing of the dashboard opens to a wrong or missing teacher key."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from playground.service.ratelimit import CreationLimiter
from playground.service.store import SessionStore
from playground.web.app import create_app

from .api_support import API, error_body, strict_json

SOLVED = {"hidden": [{"units": 3, "activation": "relu"}]}   # the lesson's own solution


@pytest.fixture
def client(store: SessionStore):
    # a class behind one address: more than the default 30 sessions a minute
    with TestClient(create_app(store, limiter=CreationLimiter(per_minute=200))) as c:
        yield c


def make_class(client, name="Period 3") -> dict:
    r = client.post("/api/classes", json={"name": name})
    assert r.status_code == 201, r.text
    return r.json()


def join(client, code: str, name: str) -> dict:
    r = client.post(f"/api/classes/{code}/students", json={"name": name})
    assert r.status_code == 201, r.text
    return r.json()


def dashboard(client, made: dict, **params) -> dict:
    r = client.get(f"/api/classes/{made['code']}", params=params,
                   headers={"X-Teacher-Key": made["teacher_key"]})
    assert r.status_code == 200, r.text
    return strict_json(r.text)


def test_a_class_gives_a_short_code_a_secret_key_and_the_two_links(client):
    made = make_class(client)
    assert len(made["code"]) == 6 and made["code"].isalnum() and made["code"].isupper()
    assert not set(made["code"]) & set("01IO")          # nothing to misread off a projector
    assert len(made["teacher_key"]) >= 20
    assert made["join_link"] == f"/?class={made['code']}"
    assert made["dashboard_link"] == f"/class?code={made['code']}#key={made['teacher_key']}"
    assert made["name"] == "Period 3"
    other = make_class(client)
    assert other["code"] != made["code"] and other["teacher_key"] != made["teacher_key"]


def test_thirty_students_join_work_and_the_dashboard_shows_each_as_they_are(client):
    made = make_class(client)
    code = made["code"]
    students = [join(client, code.lower(), f"Student {k:02d}") for k in range(30)]
    assert len({s["student_id"] for s in students}) == 30
    assert len({s["session"]["id"] for s in students}) == 30
    assert students[0]["class_name"] == "Period 3" and students[0]["code"] == code
    # the first ten start the Crash Course task's first task (step 1); five of them solve
    # it; one more student trains on their own
    for s in students[:10]:
        r = client.post(f"{API}/{s['session']['id']}/lesson",
                        json={"lesson_id": "crash-course-task", "step": 1})
        assert r.status_code == 200, r.text
    for s in students[:5]:
        sid = s["session"]["id"]
        client.patch(f"{API}/{sid}/config", json=SOLVED)
        client.post(f"{API}/{sid}/reset", json={})
        for _ in range(3):
            snap = client.post(f"{API}/{sid}/step", json={"epochs": 100}).json()
        assert snap["lesson"]["steps"][1]["done"], snap["metrics"]
    client.post(f"{API}/{students[20]['session']['id']}/step", json={"epochs": 7})

    board = dashboard(client, made)
    rows = board["students"]
    assert [r["name"] for r in rows] == [f"Student {k:02d}" for k in range(30)]
    assert {r["status"] for r in rows} == {"ok"}
    by_name = {r["name"]: r for r in rows}
    for k in range(5):
        row = by_name[f"Student {k:02d}"]
        assert row["lesson_id"] == "crash-course-task" and row["step"] == 1
        assert row["goals_met"] == row["goals_total"] == 2 and row["steps_done"] == 1
        assert row["best_test_loss"] < 0.2 and row["units"] == 3 and row["layers"] == [3]
        assert row["epoch"] == 300
    for k in range(5, 10):
        row = by_name[f"Student {k:02d}"]
        assert row["lesson_id"] == "crash-course-task" and row["goals_met"] == 0
        assert row["steps_done"] == 0 and row["epoch"] == 0
    assert by_name["Student 20"]["epoch"] == 7 and by_name["Student 20"]["lesson_id"] is None
    assert by_name["Student 20"]["best_test_loss"] is not None
    assert all(r["last_seen"] and r["session_id"] for r in rows)
    assert board["name"] == "Period 3" and board["code"] == code


def test_the_dashboard_does_not_keep_a_student_session_alive_or_change_it(client, store):
    made = make_class(client)
    s = join(client, made["code"], "Ada")
    sid = s["session"]["id"]
    before = client.get(f"{API}/{sid}").content
    used = store._sessions[sid][1]
    dashboard(client, made, boundaries=20)
    client.get(f"/api/classes/{made['code']}/students/{s['student_id']}/spotlight",
               headers={"X-Teacher-Key": made["teacher_key"]})
    assert store._sessions[sid][1] == used          # the student's idle time runs on
    assert client.get(f"{API}/{sid}").content == before


def test_the_gallery_carries_each_students_decision_surface(client):
    made = make_class(client)
    s = join(client, made["code"], "Ada")
    rows = dashboard(client, made, boundaries=20)["students"]
    boundary = rows[0]["boundary"]
    assert boundary["resolution"] == 20 and boundary["output"]["encoding"] == "u8"
    assert boundary["kind"] == "binary" and boundary["classes"] == 2
    assert "boundary" not in dashboard(client, made)["students"][0] or \
        dashboard(client, made)["students"][0]["boundary"] is None
    # the same grid the student's own heatmaps give at that resolution
    own = client.get(f"{API}/{s['session']['id']}/heatmaps?resolution=20").json()
    assert own["output"] == boundary["output"]


def test_spotlight_shows_a_students_network_read_only(client):
    made = make_class(client)
    s = join(client, made["code"], "Ada")
    sid = s["session"]["id"]
    client.patch(f"{API}/{sid}/config", json={"hidden": [{"units": 5, "activation": "relu"}]})
    client.post(f"{API}/{sid}/step", json={"epochs": 3})
    r = client.get(f"/api/classes/{made['code']}/students/{s['student_id']}/spotlight",
                   headers={"X-Teacher-Key": made["teacher_key"]})
    assert r.status_code == 200, r.text
    spot = strict_json(r.text)
    own = client.get(f"{API}/{sid}").json()
    assert spot["name"] == "Ada" and spot["session"]["weights"] == own["weights"]
    assert spot["session"]["epoch"] == 3 and [l["units"] for l in spot["session"]["layers"]] == [2, 5, 1]
    assert set(spot["heatmaps"]["nodes"]) >= {"1:0", "1:4", "2:0"}
    assert len(spot["data"]["train"]["x"]) == len(spot["data"]["train"]["y"]) > 0


def test_send_to_everyone_reaches_what_every_students_page_reads(client):
    made = make_class(client)
    code, key = made["code"], {"X-Teacher-Key": made["teacher_key"]}
    join(client, code, "Ada")
    inbox = client.get(f"/api/classes/{code}/broadcast").json()
    assert inbox == {"code": code, "name": "Period 3", "broadcast": {"seq": 0}}
    sent = client.post(f"/api/classes/{code}/broadcast", json={"lesson_id": "dead-relu"},
                       headers=key).json()
    assert sent["seq"] == 1 and sent["lesson_id"] == "dead-relu" and sent["students"] == 1
    assert client.get(f"/api/classes/{code}/broadcast").json()["broadcast"]["lesson_id"] == "dead-relu"
    exercise = client.post("/api/exercises", json={
        "prompt": {"en": "Below 0.3"}, "goals": [{"metric": "test_loss", "op": "<", "value": 0.3}],
    }).json()
    sent = client.post(f"/api/classes/{code}/broadcast", json={"exercise_id": exercise["id"]},
                       headers=key).json()
    assert sent["seq"] == 2 and sent["exercise_id"] == exercise["id"]
    sent = client.post(f"/api/classes/{code}/broadcast",
                       json={"config": {"dataset": "spiral", "learning_rate": 0.01}}, headers=key)
    got = client.get(f"/api/classes/{code}/broadcast").json()["broadcast"]
    assert got["seq"] == 3 and got["config"]["dataset"] == "spiral" and "lesson_id" not in got
    assert dashboard(client, made)["broadcast"]["seq"] == 3


@pytest.mark.parametrize("body, code, status", [
    ({"lesson_id": "no-such-lesson"}, "unknown_id", 404),
    ({"exercise_id": "0123456789"}, "unknown_exercise", 404),
    ({"config": {"dataset": "moon"}}, "unknown_id", 422),
    ({}, "invalid", 422),
    ({"lesson_id": "dead-relu", "exercise_id": "0123456789"}, "invalid", 422),
])
def test_a_broadcast_of_nothing_or_of_something_unknown_is_refused(client, body, code, status):
    made = make_class(client)
    r = client.post(f"/api/classes/{made['code']}/broadcast", json=body,
                    headers={"X-Teacher-Key": made["teacher_key"]})
    assert r.status_code == status, r.text
    error_body(r.json(), code)
    assert client.get(f"/api/classes/{made['code']}/broadcast").json()["broadcast"] == {"seq": 0}


@pytest.mark.parametrize("headers", [{}, {"X-Teacher-Key": "not-the-key"},
                                     {"X-Teacher-Key": ""}])
def test_a_wrong_or_missing_teacher_key_gets_403_everywhere(client, headers):
    made = make_class(client)
    other = make_class(client, "another class")
    s = join(client, made["code"], "Ada")
    code = made["code"]
    tries = [("GET", f"/api/classes/{code}", None),
             ("GET", f"/api/classes/{code}/students/{s['student_id']}/spotlight", None),
             ("POST", f"/api/classes/{code}/broadcast", {"lesson_id": "dead-relu"})]
    for key in (headers, {"X-Teacher-Key": other["teacher_key"]}):   # another class's key
        for method, path, body in tries:
            r = client.request(method, path, json=body, headers=key)
            assert r.status_code == 403, (path, r.text)
            error_body(r.json(), "wrong_teacher_key")
    assert client.get(f"/api/classes/{code}/broadcast").json()["broadcast"] == {"seq": 0}


def test_the_join_code_opens_nothing_of_the_dashboard(client):
    made = make_class(client)
    s = join(client, made["code"], "Ada")
    r = client.get(f"/api/classes/{made['code']}", headers={"X-Teacher-Key": made["code"]})
    assert r.status_code == 403
    # what a student reads names no other student and no session
    inbox = client.get(f"/api/classes/{made['code']}/broadcast").text
    assert s["session"]["id"] not in inbox and "Ada" not in inbox


@pytest.mark.parametrize("name", ["", "   ", "x" * 41, "a\u0000b", "tab\u0007"])
def test_a_bad_display_name_is_refused(client, name):
    made = make_class(client)
    r = client.post(f"/api/classes/{made['code']}/students", json={"name": name})
    assert r.status_code == 422, r.text
    error_body(r.json())
    assert dashboard(client, made)["students"] == []


def test_names_are_trimmed_and_any_language_is_welcome(client):
    made = make_class(client)
    assert join(client, made["code"], "  李  小龙 ")["name"] == "李 小龙"


def test_unknown_classes_and_students_are_404(client):
    made = make_class(client)
    for path in ("/api/classes/ZZZZZZ/broadcast", "/api/classes/no/broadcast"):
        r = client.get(path)
        assert r.status_code == 404
        error_body(r.json(), "unknown_class")
    r = client.post("/api/classes/ZZZZZZ/students", json={"name": "Ada"})
    assert r.status_code == 404
    r = client.get(f"/api/classes/{made['code']}/students/deadbeef/spotlight",
                   headers={"X-Teacher-Key": made["teacher_key"]})
    assert r.status_code == 404
    error_body(r.json(), "unknown_student")


def test_a_student_whose_session_expired_shows_as_gone(client):
    made = make_class(client)
    s = join(client, made["code"], "Ada")
    client.delete(f"{API}/{s['session']['id']}")
    rows = dashboard(client, made)["students"]
    assert rows[0]["status"] == "gone" and rows[0]["name"] == "Ada" and rows[0]["epoch"] is None


def test_a_full_class_refuses_one_more(client, monkeypatch):
    from playground.service.config import Limits
    monkeypatch.setattr(Limits, "max_class_students", 3)
    made = make_class(client)
    for k in range(3):
        join(client, made["code"], f"S{k}")
    r = client.post(f"/api/classes/{made['code']}/students", json={"name": "one more"})
    assert r.status_code == 409
    assert error_body(r.json(), "class_full")["params"] == {"max": 3}


def test_the_teachers_page_is_served_with_its_own_script_and_no_inline_one(client):
    r = client.get("/class", params={"code": "ABCDEF", "lang": "zh"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    html = r.text
    assert '<script type="module" src="/static/js/class/dashboard.js"></script>' in html
    assert html.count("<script") == 1 and "/static/css/class.css" in html
    assert client.get("/static/js/class/dashboard.js").status_code == 200
    assert "/class" not in client.get("/openapi.json").json()["paths"]
