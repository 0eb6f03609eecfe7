"""Every lesson file loads, validates and can be done: each task is driven to its goals
over the API with the lesson's own solution (not met when the step begins, met at its
end), each question is checked right and wrong."""

from __future__ import annotations

import pytest
import yaml

from playground.service.lessons import FOLDER, Lesson, lessons, load

LESSONS = list(lessons().values())


def test_every_file_is_a_lesson_named_by_its_file():
    files = sorted(FOLDER.glob("*.yaml"))
    assert files and len(files) == len(LESSONS)
    assert {p.stem for p in files} == {lesson.id for lesson in LESSONS}


def test_lessons_come_in_teaching_order():
    orders = [lesson.order for lesson in LESSONS]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda x: x.id)
def test_every_text_is_in_both_languages(lesson: Lesson):
    texts = [lesson.title, lesson.summary, lesson.text]
    for step in lesson.steps:
        texts += [step.text, *step.hints]
        texts += [step.explanation] if step.explanation else []
        texts += [g.text for g in getattr(step, "goals", [])]
        texts += step.choices or [] if step.kind == "question" else [step.solution.text]
    for text in texts:
        assert text.en.strip() and text.zh.strip()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text.zh), text.zh  # Chinese words


def test_a_broken_lesson_is_refused_when_loaded(tmp_path):
    good = yaml.safe_load((FOLDER / f"{LESSONS[0].id}.yaml").read_text(encoding="utf-8"))
    broken = {**good, "id": "broken", "steps": [{"kind": "task", "text": good["title"],
                                                 "goals": [{"id": "g", "check": {
                                                     "metric": "test_loss", "op": "<"}}]}]}
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    with pytest.raises(ValueError, match="op and value"):
        load(path)
    misnamed = tmp_path / "other.yaml"
    misnamed.write_text(yaml.safe_dump(good), encoding="utf-8")
    with pytest.raises(ValueError, match="file's name"):
        load(misnamed)


def _lesson_state(client, sid: str) -> dict:
    r = client.get(f"/api/sessions/{sid}/lesson")
    assert r.status_code == 200, r.text
    return r.json()


def _solve(client, sid: str, solution) -> None:
    base = f"/api/sessions/{sid}"
    if solution.config:
        r = client.patch(f"{base}/config", json=solution.config)
        assert r.status_code == 200, r.text
    if solution.reset:
        assert client.post(f"{base}/reset", json={}).status_code == 200
    if solution.params is not None:
        r = client.put(f"{base}/params", json=solution.params.model_dump(exclude_none=True))
        assert r.status_code == 200, r.text
    left = solution.epochs
    while left > 0:
        most = client.get(base).json()["max_epochs_per_call"]
        r = client.post(f"{base}/step", json={"epochs": min(left, most)})
        assert r.status_code == 200, r.text
        left -= min(left, most)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda x: x.id)
def test_every_lesson_can_be_done_over_the_api(lesson: Lesson, client, new_session):
    sid = new_session()["id"]
    r = client.post(f"/api/sessions/{sid}/lesson", json={"lesson_id": lesson.id})
    assert r.status_code == 200, r.text
    assert r.json()["lesson"]["lesson_id"] == lesson.id
    for k, step in enumerate(lesson.steps):
        if k:
            r = client.post(f"/api/sessions/{sid}/lesson", json={"lesson_id": lesson.id,
                                                                "step": k})
            assert r.status_code == 200, r.text
        state = _lesson_state(client, sid)
        assert state["step"] == k and not state["steps"][k]["done"], (lesson.id, k)
        if step.kind == "task":
            goals = state["steps"][k]["goals"]
            assert not all(g["met"] for g in goals), f"{lesson.id} step {k} is met at its start"
            _solve(client, sid, step.solution)
            goals = _lesson_state(client, sid)["steps"][k]["goals"]
            assert all(g["met"] for g in goals), f"{lesson.id} step {k}: {goals}"
        else:
            wrong = (step.answer + 1) % len(step.choices) if step.choices \
                else step.answer + 10 * step.tolerance + 1
            r = client.post(f"/api/sessions/{sid}/lesson/answer",
                            json={"step": k, "answer": wrong})
            assert r.status_code == 200 and r.json()["correct"] is False, r.text
            r = client.post(f"/api/sessions/{sid}/lesson/answer",
                            json={"step": k, "answer": step.answer})
            assert r.json() == {"correct": True,
                                "explanation": step.explanation.model_dump()}
        assert _lesson_state(client, sid)["steps"][k]["done"], (lesson.id, k)
