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


def test_a_frame_carries_only_the_node_grids_asked_for(client, new_session):
    """A wide layer's page asks for the grids it shows, not 128 of them a frame."""
    sid = new_session(hidden=[{"units": 40, "activation": "tanh"}])["id"]
    body = {"epochs": 1, "resolution": 12, "node_resolution": 6}
    full = client.post(f"{API}/{sid}/frame", json=body).json()
    some = client.post(f"{API}/{sid}/frame", json={**body, "node_ids": ["0:1", "1:37", "9:9"]}).json()
    none = client.post(f"{API}/{sid}/frame", json={**body, "node_ids": []}).json()
    assert len(full["heatmaps"]["nodes"]) == 2 + 40 + 1
    assert sorted(some["heatmaps"]["nodes"]) == ["0:1", "1:37"] and none["heatmaps"]["nodes"] == {}
    with client.websocket_connect(f"/api/sessions/{sid}/play") as ws:
        ws.send_text(json.dumps({**body, "binary": True, "node_ids": ["1:37", "2:0"]}))
        from playground.web.binary_frame import unpack
        header, _ = unpack(ws.receive_bytes())
        assert header["heatmaps"]["nodes"]["ids"] == ["1:37", "2:0"]
    bad = client.post(f"{API}/{sid}/frame", json={**body, "node_ids": ["1-37"]})
    assert bad.status_code == 422


# --------------------------------------------------------------------------- binary frames
def piece(message: bytes, last: dict | None, last_nodes: dict) -> tuple[dict, dict]:
    """A binary frame pieced together as the page does it (api.js PlayChannel.piece), its
    grids turned back into the JSON encoding (base64) to compare with a JSON frame."""
    import base64

    from playground.web.binary_frame import unpack

    import numpy as np

    header, tail = unpack(message)
    assert (len(message) - len(tail)) % 8 == 0       # the arrays start 8-byte aligned
    snap, maps = header["snapshot"], header["heatmaps"]

    def exact(a: dict | None) -> list | None:
        if a is None:
            return None
        assert a["encoding"] == "f64" and a["offset"] % 8 == 0
        values = np.frombuffer(tail[a["offset"] : a["offset"] + a["length"]], dtype="<f8")
        return values.reshape(a["shape"]).tolist()

    from playground.web.binary_frame import PARAMS

    for key in PARAMS:
        if key in snap:
            snap[key] = [exact(a) for a in snap[key]]
    for key in snap.pop("not_sent", []):
        snap[key] = last["snapshot"][key]

    def grid(g: dict) -> dict:
        data = base64.b64encode(tail[g["offset"] : g["offset"] + g["length"]]).decode()
        return {"encoding": "u8", "min": g["min"], "max": g["max"], "data": data}

    for key in ("output", "output_class"):
        if key in maps:
            maps[key] = grid(maps[key])
    for key in maps.pop("unchanged"):
        maps[key] = last["heatmaps"][key]
    block = maps["nodes"]
    assert block["encoding"] == "u8block"
    ranges, size = exact(block["range"]) or [], maps.get("node_resolution", 0) ** 2
    maps["nodes"] = {n: grid({"min": lo, "max": hi, "offset": block["offset"] + i * size,
                              "length": size})
                     for i, (n, (lo, hi)) in enumerate(zip(block["ids"], ranges))}
    assert block["length"] == len(block["ids"]) * size
    for key in snap.pop("unchanged"):
        snap[key] = last["snapshot"][key]
    for node in maps.pop("unchanged_nodes"):
        maps["nodes"][node] = last_nodes[node]
    if maps["nodes"]:
        last_nodes = dict(maps["nodes"])
    return {"snapshot": snap, "heatmaps": maps}, last_nodes


def test_binary_frames_piece_together_into_the_json_frames(client, new_session):
    """Twin sessions, one played with JSON frames and one with binary ones: frame for frame
    the same numbers; the binary ones leave out what did not change and are smaller."""
    config = {"dataset": "blobs", "classes": 4, "features": ["x1", "x2", "x1_sq"],
              "hidden": [{"units": 3, "activation": "prelu", "batch_norm": True},
                         {"units": 2, "activation": "tanh"}]}
    a, b = new_session(**config)["id"], new_session(**config)["id"]
    requests = [{"epochs": 1, "resolution": 12, "node_resolution": 6, "history_since": -1},
                {"epochs": 2, "resolution": 12, "node_resolution": 6, "history_since": 1},
                {"epochs": 1, "resolution": 12, "node_resolution": 6, "nodes": False},
                {"steps": 3, "resolution": 12, "node_resolution": 6}]
    last, last_nodes, sizes, last_sent = None, {}, [], None
    with client.websocket_connect(f"{API}/{a}/play") as plain, \
            client.websocket_connect(f"{API}/{b}/play") as packed:
        for body in requests:
            plain.send_text(json.dumps(body))
            expected = json.loads(plain.receive_text())
            packed.send_text(json.dumps({**body, "binary": True}))
            message = packed.receive_bytes()
            frame, last_nodes = piece(message, last, last_nodes)
            last = frame
            expected["snapshot"]["id"] = frame["snapshot"]["id"]   # twins differ only there
            if body.get("nodes", True):
                assert frame["snapshot"] == expected["snapshot"]
                assert frame["heatmaps"] == expected["heatmaps"]
            else:   # no diagram asked for: the parameters are the last ones sent
                from playground.web.binary_frame import PARAMS as params
                assert {k: v for k, v in frame["snapshot"].items() if k not in params} == \
                    {k: v for k, v in expected["snapshot"].items() if k not in params}
                assert frame["snapshot"]["weights"] == last_sent["snapshot"]["weights"]
                assert frame["snapshot"]["bn_mean"] == last_sent["snapshot"]["bn_mean"]
                assert frame["heatmaps"]["output"] == expected["heatmaps"]["output"]
            last_sent = frame if body.get("nodes", True) else last_sent
            sizes.append((len(message), len(json.dumps(expected))))
        # the second frame left out what did not change, the inputs' grids among them
        packed.send_text(json.dumps({**requests[1], "binary": True}))
        from playground.web.binary_frame import unpack
        header, _ = unpack(packed.receive_bytes())
        assert {"config", "layers", "kind"} <= set(header["snapshot"]["unchanged"])
        assert {"x1", "x2", "extent"} <= set(header["heatmaps"]["unchanged"])
        assert {"0:0", "0:1", "0:2"} <= set(header["heatmaps"]["unchanged_nodes"])
    assert all(binary < plain for binary, plain in sizes[1:]), sizes
    # POST /frame answers JSON whatever it is asked
    assert client.post(f"{API}/{a}/frame", json={"epochs": 1, "binary": True}).json()["snapshot"]
