"""Exercises a teacher makes (API.md 6.3) over HTTP: made, read, opened in a session as a
one-task lesson whose goals the server checks; the link names only the id, so a learner
can't change the goals; bad exercises and unknown ids refused."""

from __future__ import annotations

from .api_support import API, error_body, refused

EXERCISE = {
    "config": {"dataset": "xor", "hidden": [{"units": 1, "activation": "linear"}],
               "learning_rate": 0.01},
    "locked": ["dataset", "features"], "hidden": ["regularization"],
    "prompt": {"en": "Get both losses below 0.25 with at most 4 neurons."},
    "goals": [{"metric": "train_loss", "op": "<", "value": 0.25},
              {"metric": "test_loss", "op": "<", "value": 0.25},
              {"metric": "hidden_units", "op": "<=", "value": 4}],
}


def make(client, body=EXERCISE) -> str:
    r = client.post("/api/exercises", json=body)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["link"] == f"/?exercise={made['id']}"
    return made["id"]


def test_an_exercise_is_kept_as_its_teacher_made_it(client):
    exercise_id = make(client)
    kept = client.get(f"/api/exercises/{exercise_id}").json()
    assert kept["goals"] == EXERCISE["goals"] and kept["locked"] == ["dataset", "features"]
    assert kept["prompt"] == {"en": EXERCISE["prompt"]["en"], "zh": ""}
    assert kept["config"]["dataset"] == "xor" and kept["config"]["learning_rate"] == 0.01


def test_a_learner_plays_it_as_a_lesson_and_the_server_checks_the_goals(client, new_session):
    exercise_id = make(client)
    sid = new_session()["id"]
    snap = client.post(f"{API}/{sid}/lesson", json={"lesson_id": f"exercise-{exercise_id}"}).json()
    assert snap["config"]["dataset"] == "xor" and snap["config"]["hidden"][0]["units"] == 1
    goals = snap["lesson"]["steps"][0]["goals"]
    assert [g["met"] for g in goals] == [False, False, True]
    assert goals[2]["text"] == {"en": "hidden neurons <= 4", "zh": "隐藏神经元数 <= 4"}
    lesson = client.get(f"/api/lessons/exercise-{exercise_id}").json()   # as the player sees it
    assert lesson["steps"][0]["goals"][0]["check"] == EXERCISE["goals"][0]
    assert lesson["steps"][0]["text"]["zh"] == EXERCISE["prompt"]["en"]   # one language, in both
    assert lesson["text"]["en"].startswith("An exercise from your teacher")
    client.patch(f"{API}/{sid}/config", json={"hidden": [{"units": 3, "activation": "relu"}]})
    client.post(f"{API}/{sid}/reset", json={})
    for _ in range(2):
        snap = client.post(f"{API}/{sid}/step", json={"epochs": 150}).json()
    assert snap["lesson"]["steps"][0]["done"]
    # the prompt in the reader's language, the other filled in from the one written
    state = client.get(f"{API}/{sid}/lesson").json()
    assert state["lesson_id"] == f"exercise-{exercise_id}"


def test_an_exercise_survives_in_the_stored_record(client, new_session, store):
    from playground.service.records import from_record, to_record
    exercise_id = make(client)
    sid = new_session()["id"]
    client.post(f"{API}/{sid}/lesson", json={"lesson_id": f"exercise-{exercise_id}"})
    with store.use(sid) as session:
        again = from_record(to_record(session))
        assert again.lesson == session.lesson and again.lesson.lesson is not None


def test_an_exercise_kept_before_goal_ranges_were_checked_still_opens(client, new_session, store):
    """A goal out of its metric's range is refused when an exercise is made; one stored
    before that rule (test accuracy >= 5) still opens, and a record of it still reads."""
    from playground.service import exercises
    from playground.service.records import from_record, to_record
    exercise_id = make(client)
    body = store.get_document(exercises.KIND, exercise_id)
    body["goals"][0] = {"metric": "test_accuracy", "op": ">=", "value": 5}
    store.put_document(exercises.KIND, exercise_id, body, ttl=3600)
    assert client.get(f"/api/exercises/{exercise_id}").json()["goals"][0]["value"] == 5
    sid = new_session()["id"]
    snap = client.post(f"{API}/{sid}/lesson", json={"lesson_id": f"exercise-{exercise_id}"})
    assert snap.status_code == 200, snap.text
    assert snap.json()["lesson"]["steps"][0]["goals"][0]["met"] is False
    with store.use(sid) as session:
        assert from_record(to_record(session)).lesson == session.lesson


def test_bad_exercises_are_refused(client):
    for body, code in [
        ({**EXERCISE, "goals": []}, "too_few_items"),
        ({**EXERCISE, "prompt": {"en": " ", "zh": ""}}, "empty_prompt"),
        ({**EXERCISE, "locked": ["everything"]}, "unknown_id"),
        ({**EXERCISE, "goals": [{"metric": "test_loss", "op": "<"}]}, None),
        ({**EXERCISE, "config": {"learning_rate": 99}}, "out_of_range"),
    ]:
        r = client.post("/api/exercises", json=body)
        assert r.status_code == 422, (body, r.text)
        error_body(r.json(), code)


def test_an_unknown_exercise_is_404(client, new_session):
    r = client.get("/api/exercises/0123456789")
    assert r.status_code == 404
    assert error_body(r.json(), "unknown_exercise")["params"] == {"exercise_id": "0123456789"}
    sid = new_session()["id"]
    error = refused(client, sid, "POST", "/lesson", 404, {"lesson_id": "exercise-../../x"},
                    code="unknown_exercise")
    assert error["params"] == {"exercise_id": "../../x"}
