"""The play loop (web/routes/play.py): POST /frame answers a complete snapshot and the
heatmaps at once; over the WebSocket each message is a frame like POST /frame, and
refusals come back as error messages and change nothing."""

import json

from playground.web.schemas import Heatmaps, Snapshot

from .api_support import API, error_body, refused, snapshot, strict_json


# ------------------------------------------------------------------------------- frame
def test_frame_answers_a_complete_snapshot_and_heatmaps(client, new_session):
    """An extension of the contract (the play loop's one call): its snapshot keeps the
    required fields that are null (input layer's activation, a regression's classes)."""
    sid = new_session(dataset="plane")["id"]
    response = client.post(f"{API}/{sid}/frame", json={"steps": 4, "resolution": 4})
    assert response.status_code == 200, response.text
    frame = strict_json(response.text)
    snap = frame["snapshot"]
    assert "activation" in snap["layers"][0] and snap["layers"][0]["activation"] is None
    assert "classes" in snap and snap["classes"] is None
    assert snap["step"] == 4 and snap["weights"] == snapshot(client, sid)["weights"]
    assert frame["heatmaps"]["resolution"] == 4 and "output_class" not in frame["heatmaps"]
    Snapshot.model_validate(snap)
    Heatmaps.model_validate(frame["heatmaps"])
    assert refused(client, sid, "POST", "/frame", 422, {"steps": 1, "resolution": 1})


# --------------------------------------------------------------------------- websocket
def test_frames_over_the_socket_equal_post_frame(client, new_session):
    a = new_session(dataset="xor")["id"]
    b = new_session(dataset="xor")["id"]
    body = {"epochs": 2, "resolution": 8, "node_resolution": 4, "history_since": 0}
    with client.websocket_connect(f"/api/sessions/{a}/play") as ws:
        for _ in range(3):
            ws.send_text(json.dumps(body))
            over_socket = json.loads(ws.receive_text())
            over_http = client.post(f"/api/sessions/{b}/frame", json=body).json()
            over_socket["snapshot"].pop("id")
            over_http["snapshot"].pop("id")
            assert over_socket == over_http
    assert over_socket["snapshot"]["epoch"] == 6
    assert over_socket["heatmaps"]["node_resolution"] == 4


def socket_error(ws, text: str, code: str) -> dict:
    """Send a frame request that must be refused: the error body of HTTP, plus its status."""
    ws.send_text(text)
    error = json.loads(ws.receive_text())["error"]
    status = error.pop("status")
    return {"status": status, **error_body(error, code)}


def test_refusals_are_messages_and_change_nothing(client, new_session):
    sid = new_session()["id"]
    before = client.get(f"/api/sessions/{sid}").json()
    with client.websocket_connect(f"/api/sessions/{sid}/play") as ws:
        error = socket_error(ws, '{"epochs": 0}', "out_of_range")
        assert error["status"] == 422 and "greater than or equal to 1" in error["message"]
        assert error["params"] == {"field": "epochs", "min": 1, "max": 5000, "value": "0"}
        assert socket_error(ws, "not json", "bad_json")["status"] == 422
        assert socket_error(ws, "{}", "steps_or_epochs")["params"] == {}
        error = socket_error(ws, '{"epochs": 1, "resolution": 1000}', "out_of_range")
        assert "less than or equal to 200" in error["message"]
        assert error["params"] == {"field": "resolution", "min": 2, "max": 200, "value": "1000"}
        assert socket_error(ws, '{"epochs": 300}', "too_many_epochs")["status"] == 422
        ws.send_text('{"epochs": 1}')  # the socket still works after refusals
        assert json.loads(ws.receive_text())["snapshot"]["epoch"] == 1
    after = client.get(f"/api/sessions/{sid}").json()
    assert after["epoch"] == 1 and before["weights"] != after["weights"]
    with client.websocket_connect("/api/sessions/nope/play") as ws:
        error = socket_error(ws, '{"epochs": 1}', "unknown_session")
        assert error["status"] == 404 and error["params"] == {"session_id": "nope"}


def test_a_diverged_session_refuses_to_play(client, new_session):
    sid = new_session(dataset="plane", head="linear", learning_rate=10, batch_size=1,
                      hidden=[{"units": 8, "activation": "relu"}] * 2)["id"]
    with client.websocket_connect(f"/api/sessions/{sid}/play") as ws:
        for _ in range(20):
            ws.send_text('{"epochs": 1}')
            answer = json.loads(ws.receive_text())
            if "error" in answer:
                break
        assert answer["error"]["status"] == 409
        assert "diverged" in answer["error"]["message"]
        assert answer["error"]["code"] == "diverged" and answer["error"]["params"] == {}


def test_a_frame_without_node_grids_carries_the_output_only(client, new_session):
    """The page asks for a big diagram's node grids only on the frames it redraws it."""
    sid = new_session()["id"]
    body = {"epochs": 1, "resolution": 20, "node_resolution": 8}
    full = client.post(f"{API}/{sid}/frame", json=body).json()
    lean = client.post(f"{API}/{sid}/frame", json={**body, "nodes": False}).json()
    assert len(full["heatmaps"]["nodes"]) == 2 + 4 + 2 + 1 and lean["heatmaps"]["nodes"] == {}
    assert lean["heatmaps"]["output"]["encoding"] == "u8" and lean["snapshot"]["epoch"] == 2
    assert len(json.dumps(lean)) < len(json.dumps(full))
