"""The lesson routes (API.md 6.3) over HTTP: the list, one lesson without its answers, a
session started in a lesson and moved through it, progress in the snapshot and kept
through the stored record, answers checked."""

from __future__ import annotations

import re
from pathlib import Path

from playground.service.lessons import CONTROLS, lessons
from playground.service.records import from_record, to_record

from .api_support import API, refused

LESSON = "crash-course-task"
PAGE_JS = Path(__file__).resolve().parents[2] / "static" / "js"


def test_the_list_names_every_lesson_in_both_languages(client):
    listed = client.get("/api/lessons").json()
    assert [x["id"] for x in listed] == list(lessons())
    first = next(x for x in listed if x["id"] == LESSON)
    assert set(first) == {"id", "title", "summary", "steps"}
    assert first["title"]["en"] and first["title"]["zh"] and first["steps"] == 3


def test_a_lesson_leaves_its_answers_on_the_server(client):
    lesson = client.get(f"/api/lessons/{LESSON}").json()
    question = lesson["steps"][0]
    assert question["kind"] == "question" and len(question["choices"]) == 2
    assert "answer" not in question and "explanation" not in question
    assert lesson["locked"] == ["dataset", "noise", "features"]
    assert lesson["start"]["config"]["dataset"] == "xor"
    task = lesson["steps"][1]
    assert task["goals"][0]["check"] == {"metric": "train_loss", "op": "<", "value": 0.2}
    r = client.get("/api/lessons/nope")
    assert r.status_code == 404 and r.json()["code"] == "unknown_id"


def test_starting_a_lesson_sets_its_playground_and_puts_it_in_the_snapshot(client, new_session):
    sid = new_session(dataset="spiral", learning_rate=0.3)["id"]
    client.post(f"{API}/{sid}/step", json={"epochs": 2})
    snap = client.post(f"{API}/{sid}/lesson", json={"lesson_id": LESSON}).json()
    assert snap["config"]["dataset"] == "xor" and snap["config"]["learning_rate"] == 0.01
    assert snap["config"]["hidden"] == [{"units": 1, "activation": "linear", "dropout": 0.0,
                                         "noise_sigma": 0.1, "batch_norm": False}]
    assert snap["step"] == 0 and snap["history"][-1]["step"] == 0
    assert snap["lesson"] == client.get(f"{API}/{sid}/lesson").json()
    assert snap["lesson"]["lesson_id"] == LESSON and snap["lesson"]["step"] == 0
    assert [s["kind"] for s in snap["lesson"]["steps"]] == ["question", "task", "task"]
    assert client.get(f"{API}/{sid}").json()["lesson"]["step"] == 0


def test_a_task_shows_its_goals_live_and_stays_done(client, new_session):
    sid = new_session()["id"]
    client.post(f"{API}/{sid}/lesson", json={"lesson_id": LESSON, "step": 1})
    goals = client.get(f"{API}/{sid}/lesson").json()["steps"][1]["goals"]
    assert [g["id"] for g in goals] == ["train", "test"]
    assert goals[0]["target"] == "< 0.2" and goals[0]["value"] > 0.2 and not goals[0]["met"]
    assert goals[0]["text"] == {"en": "training loss < 0.2", "zh": "训练损失 < 0.2"}
    client.patch(f"{API}/{sid}/config", json={"hidden": [{"units": 3, "activation": "relu"}]})
    client.post(f"{API}/{sid}/reset", json={})
    client.post(f"{API}/{sid}/step", json={"epochs": 150})
    snap = client.post(f"{API}/{sid}/step", json={"epochs": 150}).json()
    step = snap["lesson"]["steps"][1]
    assert step["done"] and all(g["met"] for g in step["goals"])
    # worse again (a weight set by hand): the goals say so, the step stays done
    client.patch(f"{API}/{sid}/config", json={"learning_rate": 0.02})
    client.put(f"{API}/{sid}/params", json={
        "weights": [[[0.0] * 3] * 2, [[0.0]] * 3], "biases": [[0.0] * 3, [0.0]]})
    step = client.get(f"{API}/{sid}/lesson").json()["steps"][1]
    assert step["done"] and not step["goals"][0]["met"]


def test_moving_to_a_step_applies_its_start(client, new_session):
    sid = new_session()["id"]
    client.post(f"{API}/{sid}/lesson", json={"lesson_id": LESSON})
    snap = client.post(f"{API}/{sid}/lesson", json={"lesson_id": LESSON, "step": 2}).json()
    assert [h["units"] for h in snap["config"]["hidden"]] == [6, 4]
    assert snap["lesson"]["step"] == 2
    error = refused(client, sid, "POST", "/lesson", 422, {"lesson_id": LESSON, "step": 3},
                    code="out_of_range")
    assert error["params"] == {"field": "step", "value": 3, "min": 0, "max": 2}


def test_answers_are_checked_and_explained(client, new_session):
    sid = new_session()["id"]
    client.post(f"{API}/{sid}/lesson", json={"lesson_id": LESSON})
    wrong = client.post(f"{API}/{sid}/lesson/answer", json={"step": 0, "answer": 0}).json()
    assert wrong["correct"] is False and "0.69" in wrong["explanation"]["en"]
    assert not client.get(f"{API}/{sid}/lesson").json()["steps"][0]["done"]
    right = client.post(f"{API}/{sid}/lesson/answer", json={"step": 0, "answer": 1}).json()
    assert right["correct"] is True
    assert client.get(f"{API}/{sid}/lesson").json()["steps"][0]["done"]


def test_leaving_a_lesson_keeps_the_playground(client, new_session):
    sid = new_session()["id"]
    client.post(f"{API}/{sid}/lesson", json={"lesson_id": LESSON})
    snap = client.delete(f"{API}/{sid}/lesson").json()
    assert snap["lesson"] is None and snap["config"]["dataset"] == "xor"
    refused(client, sid, "GET", "/lesson", 404, code="no_lesson")


def test_progress_is_kept_in_the_stored_record(client, new_session, store):
    sid = new_session()["id"]
    client.post(f"{API}/{sid}/lesson", json={"lesson_id": LESSON})
    client.post(f"{API}/{sid}/lesson/answer", json={"step": 0, "answer": 1})
    client.post(f"{API}/{sid}/lesson", json={"lesson_id": LESSON, "step": 1})
    with store.use(sid) as session:
        again = from_record(to_record(session))
    assert again.lesson == session.lesson
    assert again.lesson.step == 1 and again.lesson.done == [True, False, False]
    assert again.lesson.answers == {0: 1.0}


def test_starting_the_step_it_is_on_again_gives_its_playground_back(client, new_session):
    sid = new_session()["id"]
    client.post(f"{API}/{sid}/lesson", json={"lesson_id": LESSON})
    client.post(f"{API}/{sid}/lesson/answer", json={"step": 0, "answer": 1})
    client.post(f"{API}/{sid}/lesson", json={"lesson_id": LESSON, "step": 2})
    client.delete(f"{API}/{sid}/layers/1")
    client.post(f"{API}/{sid}/step", json={"epochs": 5})
    again = client.post(f"{API}/{sid}/lesson", json={"lesson_id": LESSON, "step": 2}).json()
    assert [h["units"] for h in again["config"]["hidden"]] == [6, 4] and again["epoch"] == 0
    assert again["lesson"]["step"] == 2 and again["lesson"]["steps"][0]["done"]
    # without a step: where it is, nothing changed
    same = client.post(f"{API}/{sid}/lesson", json={"lesson_id": LESSON}).json()
    assert same["weights"] == again["weights"]


def test_every_lesson_is_answered_as_the_openapi_schema_says(client):
    """What GET /api/lessons/{id} leaves out (a step without a start, a question asking for
    a number, without choices) is optional in the schema too."""
    import jsonschema
    components = client.get("/openapi.json").json()["components"]
    schema = {"$ref": "#/components/schemas/LessonView", "components": components}
    for listed in client.get("/api/lessons").json():
        lesson = client.get(f"/api/lessons/{listed['id']}").json()
        jsonschema.validate(lesson, schema)
        for step in lesson["steps"]:   # oneOf is not checked by kind here: each on its own
            name = "Task" if step["kind"] == "task" else "QuestionView"
            jsonschema.validate(step, {"$ref": f"#/components/schemas/{name}",
                                       "components": components})


def test_the_page_can_lock_and_name_every_control_a_lesson_may_name():
    """Each control has its elements in the lesson player (lesson.js CONTROL_ELEMENTS;
    "weights" is checked by the editors) and its name in both languages (FIELD_NAMES)."""
    player = (PAGE_JS / "features" / "lesson.js").read_text(encoding="utf-8")
    block = re.search(r"^export const CONTROL_ELEMENTS = \{\n(.*?)^\};", player, re.M | re.S)
    assert block, "no CONTROL_ELEMENTS in lesson.js"
    assert set(re.findall(r"(\w+): \[", block.group(1))) == set(CONTROLS)
    refusals = (PAGE_JS / "strings" / "refusals.js").read_text(encoding="utf-8")
    names = refusals[refusals.index("export const FIELD_NAMES"):]
    for lang in ("en", "zh"):
        table = re.search(rf"^  {lang}: \{{\n(.*?)^  \}},", names, re.M | re.S)
        assert table, f"no {lang} FIELD_NAMES"
        named = set(re.findall(r"(\w+): \"[^\"]+\"", table.group(1)))
        assert set(CONTROLS) <= named, set(CONTROLS) - named
