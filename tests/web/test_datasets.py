"""Own data (API.md 6.4) over HTTP: a CSV or points uploaded and read back, each rule
broken refused with its row, a session trained on it, points added and removed, a link
rebuilding the same points, a model file carrying them to another server, and the
NumPy script exported from it printing the playground's numbers."""

from __future__ import annotations

import time

import numpy as np
import pytest
from fastapi.testclient import TestClient

from playground.service import own_data
from playground.service.store import SessionStore
from playground.web.app import create_app

from .api_support import API, error_body, params, snapshot, strict_json
from .test_export import (
    FRAMEWORKS,
    exported,
    framework,
    outputs_by_api,
    predict_points,
    run,
    tolerance,
)

CSV = {"content-type": "text/csv"}


def blob_csv(n: int = 60, seed: int = 0, header: bool = True) -> str:
    """Two clouds of points (class 0 left, class 1 right) as an upload."""
    rng = np.random.default_rng(seed)
    x = np.clip(rng.normal(0, 1.2, (n, 2)) + np.where(np.arange(n)[:, None] % 2, 2.5, -2.5)
                * [1, 0], -6, 6)
    rows = [f"{a!r},{b!r},{i % 2}" for i, (a, b) in enumerate(x.tolist())]
    return ("x1,x2,label\n" if header else "") + "\n".join(rows) + "\n"


def upload(client, text: str) -> dict:
    r = client.post("/api/datasets", content=text, headers=CSV)
    assert r.status_code == 201, r.text
    return strict_json(r.text)


def refused_upload(client, status: int, code: str, **send) -> dict:
    r = client.post("/api/datasets", **send)
    assert r.status_code == status, r.text
    return error_body(strict_json(r.text), code)


def all_points(data: dict) -> list:
    return sorted(tuple(x) + (y,) for part in ("train", "test")
                  for x, y in zip(data[part]["x"], data[part]["y"]))


# ------------------------------------------------------------------ upload and read back
def test_a_csv_is_kept_and_read_back_exactly(client):
    text = blob_csv()
    made = upload(client, text)
    assert made["kind"] == "binary" and made["classes"] == 2 and made["count"] == 60
    assert made["dataset"] == "custom:" + made["id"] and made["id"].startswith("b-")
    assert upload(client, text.replace("x1,x2,label\n", ""))["id"] == made["id"]   # content
    got = client.get(f"/api/datasets/{made['id']}").json()
    rows = [line.split(",") for line in text.splitlines()[1:]]
    assert got["points"] == [[float(a), float(b), float(c)] for a, b, c in rows]
    as_csv = client.get(f"/api/datasets/{made['id']}", headers={"accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert upload(client, as_csv.text)["id"] == made["id"]           # a round trip
    download = client.get(f"/api/datasets/{made['id']}?format=csv")
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.text == as_csv.text


@pytest.mark.parametrize(("labels", "kind", "classes", "tag"), [
    ([0, 1, 2, 0], "multiclass", 3, "m3-"), ([0.5, -0.25, 0.75, 1], "regression", None, "r-")])
def test_the_labels_say_the_kind(client, labels, kind, classes, tag):
    text = "".join(f"{i},{-i},{label}\n" for i, label in enumerate(labels))
    made = upload(client, text)
    assert (made["kind"], made["classes"]) == (kind, classes) and made["id"].startswith(tag)


@pytest.mark.parametrize(("text", "code", "params"), [
    ("x1,x2,label\n1,2,0\n3,abc,1\n", "data_not_a_number", {"row": 3, "column": "x2"}),
    ("1,2,0\n3,4\n", "data_columns", {"row": 2, "found": 2}),
    ("1,2,0\n0,6.5,1\n1,-9,0\n", "data_outside", {"row": 2, "column": "x2", "count": 2}),
    ("1,2,0\n3,inf,1\n", "data_not_finite", {"row": 2, "column": "x2"}),
    ("1,2,0\n", "data_rows", {"rows": 1, "min": 2, "max": 5000}),
    ("", "data_rows", {"rows": 0}),
    ("0,0,0\n1,1,9\n", "data_classes", {"classes": 10, "max": 6}),
])
def test_each_rule_broken_is_refused_naming_the_row(client, text, code, params):
    error = refused_upload(client, 422, code, content=text, headers=CSV)
    assert params.items() <= error["params"].items()


def test_5001_rows_are_refused_and_5000_kept(client):
    rows = [f"{(i % 11) - 5},{(i % 7) - 3},{i % 2}" for i in range(5001)]
    error = refused_upload(client, 422, "data_rows", content="\n".join(rows), headers=CSV)
    assert error["params"]["rows"] == 5001
    assert upload(client, "\n".join(rows[:5000]))["count"] == 5000


def test_points_as_json(client):
    r = client.post("/api/datasets", json={"points": [[0, 0, 1], [1, 1, 0], [2, -2, 1]]})
    assert r.status_code == 201 and r.json()["kind"] == "binary"
    r = client.post("/api/datasets", json={"points": [[0, 0, 1], [1, 1, 0]], "kind": "multiclass",
                                           "classes": 4})
    assert r.json()["id"].startswith("m4-")
    refused_upload(client, 422, "out_of_range", json={"points": [[0, 0, 1], [7, 1, 0]]})
    error = refused_upload(client, 422, "data_label",
                           json={"points": [[0, 0, 1], [1, 1, 2]], "kind": "binary"})
    assert error["params"] == {"row": 1, "value": "2.0", "last": 1}
    error = refused_upload(client, 415, "unsupported_media_type", content="1,2,0",
                   headers={"content-type": "text/plain"})
    assert "application/json or text/csv" in error["message"]
    refused_upload(client, 422, "data_not_text", content=b"1,2,0\n\xff\xfe,1,1", headers=CSV)


def test_unknown_datasets_are_404_and_bad_names_422(client, new_session):
    r = client.get("/api/datasets/b-aaaaaaaaaaaaaaaa")
    assert r.status_code == 404 and error_body(r.json(), "unknown_dataset")
    r = client.post(API, json={"dataset": "custom:b-aaaaaaaaaaaaaaaa"})
    assert r.status_code == 404 and r.json()["code"] == "unknown_dataset"
    r = client.post(API, json={"dataset": "custom:../../etc"})
    error = error_body(r.json(), "unknown_id")
    assert "custom:<id from POST /api/datasets>" in error["params"]["allowed"]


# ------------------------------------------------------------------ training on it
def test_a_session_trains_on_own_data_and_a_link_rebuilds_it(client, new_session):
    made = upload(client, blob_csv(80))
    snap = new_session(dataset=made["dataset"], train_ratio=75, noise=10,
                       hidden=[{"units": 3, "activation": "tanh"}])
    assert snap["kind"] == "binary" and snap["config"]["head"] == "sigmoid"
    sid = snap["id"]
    data = client.get(f"{API}/{sid}/data").json()
    assert len(data["train"]["x"]) == 60 and len(data["test"]["x"]) == 20
    given = client.get(f"/api/datasets/{made['id']}").json()["points"]
    shown, given = np.array(all_points(data))[:, :2], np.array(given)[:, :2]
    nearest = np.abs(shown[:, None, :] - given[None, :, :]).max(axis=2).min(axis=1)
    assert 0 < nearest.max() <= 0.3      # noise 10: each point moved at most 3 * 0.1 per axis
    trained = client.post(f"{API}/{sid}/step", json={"epochs": 30}).json()
    assert trained["metrics"]["test_accuracy"] > 0.9
    # the link: the same config in another session makes the same points
    other = new_session(**snapshot(client, sid)["config"])["id"]
    assert client.get(f"{API}/{other}/data").json() == data


def test_patching_to_own_data_and_back(client, new_session):
    sid = new_session(dataset="plane")["id"]
    made = upload(client, "0,0,0\n1,1,1\n2,2,2\n-1,3,0\n")
    r = client.patch(f"{API}/{sid}/config", json={"dataset": made["dataset"]})
    assert r.status_code == 200 and r.json()["kind"] == "multiclass"
    assert r.json()["config"]["head"] == "softmax" and len(r.json()["biases"][-1]) == 3
    r = client.patch(f"{API}/{sid}/config", json={"dataset": "circle"})
    assert r.json()["config"]["head"] == "sigmoid"


def test_drawing_points_keeps_the_weights_and_moves_no_other_point(client, new_session):
    sid = new_session(dataset="xor", num_samples=100, noise=20)["id"]
    client.post(f"{API}/{sid}/step", json={"epochs": 2})
    before, weights = client.get(f"{API}/{sid}/data").json(), params(client, sid)
    r = client.post(f"{API}/{sid}/points", json={"add": [[1.5, -2.0, 1], [-3, 3, 0]]})
    assert r.status_code == 200, r.text
    snap = r.json()
    assert snap["config"]["dataset"].startswith("custom:b-") and snap["config"]["noise"] == 0
    assert snap["step"] == 10 and params(client, sid) == weights     # still trained
    after = client.get(f"{API}/{sid}/data").json()
    assert set(all_points(after)) == set(all_points(before)) | {(1.5, -2.0, 1.0), (-3, 3, 0.0)}
    # remove the first shown point: that point, and only it, is gone
    shown = after["train"]["x"][0] + [after["train"]["y"][0]]
    r = client.post(f"{API}/{sid}/points", json={"remove": [0]})
    left = all_points(client.get(f"{API}/{sid}/data").json())
    assert tuple(shown) not in left and len(left) == 101
    # the dataset of each edit is kept: the earlier one still opens
    first = client.get(f"/api/datasets/{snap['config']['dataset'][7:]}").json()
    assert first["count"] == 102


def test_point_edits_refused_change_nothing(client, new_session):
    sid = new_session(dataset="circle", num_samples=10)["id"]
    before = snapshot(client, sid)
    for body, status, code in [
        ({"remove": [10]}, 422, "no_such_point"),
        ({"remove": list(range(9))}, 422, "data_rows"),
        ({"add": [[0, 0, 2]]}, 422, "data_label"),
        ({"add": [[0, 6.01, 1]]}, 422, "out_of_range"),
        ({"add": [[0, 0]]}, 422, None),
    ]:
        r = client.post(f"{API}/{sid}/points", json=body)
        assert r.status_code == status, r.text
        error_body(strict_json(r.text), code)
    assert snapshot(client, sid) == before


def test_the_session_data_downloads_as_csv(client, new_session):
    sid = new_session(dataset="blobs", classes=4, num_samples=40)["id"]
    r = client.get(f"{API}/{sid}/data?format=csv")
    assert r.headers["content-disposition"] == 'attachment; filename="data-blobs.csv"'
    made = upload(client, r.text)
    assert (made["kind"], made["classes"], made["count"]) == ("multiclass", 4, 40)


# ------------------------------------------------------------------ files, links, scripts
def test_a_model_file_carries_own_data_to_another_server(client, new_session):
    made = upload(client, blob_csv(50, seed=3))
    sid = new_session(dataset=made["dataset"], optimizer="adam", batch_size=7)["id"]
    client.post(f"{API}/{sid}/step", json={"epochs": 3})
    file = strict_json(client.get(f"{API}/{sid}/model").text)
    assert file["data"]["kind"] == "binary" and len(file["data"]["points"]) == 50
    with TestClient(create_app(SessionStore())) as fresh:     # a server that never saw it
        r = fresh.post(f"{API}/model", json=file)
        assert r.status_code == 201, r.text
        copy = r.json()
        assert copy["weights"] == snapshot(client, sid)["weights"]
        a = client.post(f"{API}/{sid}/step", json={"epochs": 2}).json()
        b = fresh.post(f"{API}/{copy['id']}/step", json={"epochs": 2}).json()
        assert a["weights"] == b["weights"] and a["metrics"] == b["metrics"]
        file["data"]["points"][0][2] = 1 - file["data"]["points"][0][2]    # edited data
        r = fresh.post(f"{API}/model", json=file)
        assert r.status_code == 422 and r.json()["code"] == "model_data_differs"


def test_a_shared_network_on_own_data_opens_equal(client, new_session):
    sid = new_session(dataset=upload(client, blob_csv(30))["dataset"])["id"]
    client.post(f"{API}/{sid}/step", json={"epochs": 2})
    share = client.post(f"{API}/{sid}/share", headers={"content-type": "application/json"})
    file = client.get(f"/api/shares/{share.json()['share_id']}").json()
    opened = client.post(f"{API}/model", json=file).json()
    assert opened["weights"] == snapshot(client, sid)["weights"]
    assert opened["config"]["dataset"] == snapshot(client, sid)["config"]["dataset"]


def test_the_numpy_script_on_own_data_prints_the_playgrounds_numbers(client, new_session,
                                                                     tmp_path):
    sid = new_session(dataset=upload(client, blob_csv(40, seed=5))["dataset"], noise=15,
                      hidden=[{"units": 3, "activation": "relu"}])["id"]
    client.post(f"{API}/{sid}/step", json={"epochs": 2})
    script = exported(client, sid, "numpy")
    printed = run(tmp_path, script, "own.py")
    expected = outputs_by_api(client, sid, predict_points(script))
    np.testing.assert_allclose(printed, expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize(("fmt", "backend"), FRAMEWORKS, ids=lambda v: v)
def test_the_framework_scripts_on_own_data_print_and_train_as_the_playground(
        client, new_session, tmp_path, fmt, backend):
    """Run where PyTorch or Keras is installed: a script of a session on own data prints the
    playground's numbers, and two full-batch epochs on the points it embeds are the
    playground's two steps on the upload."""
    env = framework(fmt, backend)
    dataset = upload(client, blob_csv(50, seed=7))["dataset"]
    sid = new_session(dataset=dataset, batch_size=5000, optimizer="momentum",
                      hidden=[{"units": 4, "activation": "tanh"},
                              {"units": 3, "activation": "prelu"}])["id"]
    client.post(f"{API}/{sid}/step", json={"steps": 5})
    script = exported(client, sid, fmt)
    printed = run(tmp_path, script, "own.py", env=env)
    expected = outputs_by_api(client, sid, predict_points(script))
    np.testing.assert_allclose(printed, expected, rtol=0, atol=tolerance(fmt, backend))
    fresh = new_session(dataset=dataset, batch_size=5000, optimizer="momentum",
                        hidden=[{"units": 4, "activation": "tanh"}])["id"]
    script = exported(client, fresh, fmt)   # momentum starts afresh in both: from step 0
    client.post(f"{API}/{fresh}/step", json={"steps": 2})
    printed = run(tmp_path, script, "own.py", "--epochs", "2", env=env)
    expected = outputs_by_api(client, fresh, predict_points(script))
    np.testing.assert_allclose(printed, expected, rtol=0, atol=tolerance(fmt, backend))


def test_a_model_files_bad_points_are_refused_with_the_row(client, new_session):
    file = strict_json(client.get(f"{API}/{new_session()['id']}/model").text)
    file["data"] = {"kind": "binary", "points": [[0.0, 0.0, 0.0], [0.0, 7.0, 0.0]]}
    r = client.post(f"{API}/model", json=file)
    assert r.status_code == 422
    assert error_body(strict_json(r.text), "data_outside")["params"]["row"] == 1


def test_an_exercise_on_own_data_keeps_it_as_long_as_itself(client, store, new_session):
    made = upload(client, blob_csv(20))
    r = client.post("/api/exercises", json={"config": {"dataset": made["dataset"]},
                                            "prompt": {"en": "Fit your own points"},
                                            "goals": [{"metric": "test_loss", "op": "<",
                                                       "value": 0.3}]})
    assert r.status_code == 201, r.text
    body = store.get_document("dataset", made["id"])
    assert body["until"] > time.time() + 89 * 86400        # the exercise's 90 days
    own_data._cache.pop(store, None)                       # forget it in this process
    client.get(f"/api/datasets/{made['id']}")              # a later look keeps the 90 days
    assert store.get_document("dataset", made["id"])["until"] >= body["until"]
    r = client.post("/api/exercises", json={"config": {"dataset": "custom:b-aaaaaaaaaaaaaaaa"},
                                            "prompt": {"en": "x"},
                                            "goals": [{"metric": "test_loss", "op": "<",
                                                       "value": 0.3}]})
    assert r.status_code == 404 and r.json()["code"] == "unknown_dataset"
