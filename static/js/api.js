// The fetch client: one function per route; every refusal becomes an ApiError carrying the
// server's stable `code` and `params` (the page words them in its own language) beside
// its English `message`.

export class ApiError extends Error {
  constructor(message, status, body) {
    super(message);
    this.status = status;      // 0 when the server could not be reached
    this.body = body;
    this.code = body?.code;
    this.params = body?.params || {};
  }
  // the config field a refusal is about (the first one), where a message beside it belongs
  get field() {
    const loc = this.body?.detail?.[0]?.loc;
    const field = Array.isArray(loc) ? loc.filter((p) => p !== "body")[0] : undefined;
    return field ?? this.params.field?.split(".")[0];
  }
}

// The session is gone (expired, deleted, or the server forgot it).
export const isUnknownSession = (err) => err instanceof ApiError && err.status === 404
  && (err.code === "unknown_session" || /unknown session/.test(err.message));

// Every POST, PUT and PATCH says JSON, with a body or without: the server refuses any
// other (415), so that another web page's form or text POST cannot reach it.
const SENDS_JSON = new Set(["POST", "PUT", "PATCH"]);

// headers: more request headers (the class dashboard's X-Teacher-Key); sendText: the
// body is text sent as it is (a model file), not a value to write as JSON; readText: the
// answer is the text as it came (a model file, to send on as it is)
export async function call(method, path, body, headers = {}, { sendText = false, readText = false } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: { ...(SENDS_JSON.has(method) ? { "content-type": "application/json" } : {}), ...headers },
      body: body === undefined || sendText ? body : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(String(err.message || err), 0, null);
  }
  if (response.status === 204) return null;
  let data = null;
  if (readText && response.ok) return response.text();
  try { data = await response.json(); } catch { /* not JSON */ }
  if (!response.ok) {
    const message = data?.message || `${response.status} ${response.statusText}`;
    throw new ApiError(message, response.status, data);
  }
  return data;
}

const s = (id) => `/api/sessions/${encodeURIComponent(id)}`;

// Addresses the page links to rather than fetches (downloads): the model file, a script.
export const modelUrl = (id) => `${s(id)}/model`;
export const exportUrl = (id, format) => `${s(id)}/export?format=${format}`;
export const dataCsvUrl = (id) => `${s(id)}/data?format=csv`;

export const api = {
  catalog: () => call("GET", "/api/catalog"),
  health: () => call("GET", "/api/health"),
  preview: (dataset, params) =>
    call("GET", `/api/datasets/${dataset}/points?${new URLSearchParams(params)}`),
  curve: (activation) => call("GET", `/api/activations/${activation}/curve`),
  create: (config) => call("POST", "/api/sessions", config),
  get: (id) => call("GET", s(id)),
  remove: (id) => call("DELETE", s(id)),
  patch: (id, changes) => call("PATCH", `${s(id)}/config`, changes),
  step: (id, body) => call("POST", `${s(id)}/step`, body),
  frame: (id, body) => call("POST", `${s(id)}/frame`, body),
  params: (id) => call("GET", `${s(id)}/params`),
  putParams: (id, params) => call("PUT", `${s(id)}/params`, params),
  reset: (id, seed) => call("POST", `${s(id)}/reset`, seed === undefined ? {} : { seed }),
  setWeight: (id, layer, from, to, value) =>
    call("PATCH", `${s(id)}/weight`, { layer, from, to, value }),
  setBias: (id, layer, node, value) => call("PATCH", `${s(id)}/bias`, { layer, node, value }),
  setSlope: (id, layer, node, value) => call("PATCH", `${s(id)}/slope`, { layer, node, value }),
  setNorm: (id, layer, node, field, value) => call("PATCH", `${s(id)}/batch_norm`, { layer, node, field, value }),
  addLayer: (id, index, units, activation) =>
    call("POST", `${s(id)}/layers`, { index, units, activation }),
  removeLayer: (id, index) => call("DELETE", `${s(id)}/layers/${index}`),
  addNeuron: (id, index) => call("POST", `${s(id)}/layers/${index}/neurons`, { count: 1 }),
  removeNeuron: (id, index, node) => call("DELETE", `${s(id)}/layers/${index}/neurons/${node}`),
  data: (id) => call("GET", `${s(id)}/data`),
  // nodeIds: only these nodes' grids (a wide layer's shown units); null: every node's;
  // false: none, the output's only
  heatmaps: (id, resolution, nodeIds = null) => call("GET", `${s(id)}/heatmaps?${new URLSearchParams(
    [["resolution", resolution], ...(nodeIds === false ? [["nodes", "false"]]
      : (nodeIds || []).map((node) => ["node_ids", node]))])}`),
  exampleStep: (id, point, label) => call("POST", `${s(id)}/example_step`, { point, label }),
  lessons: () => call("GET", "/api/lessons"),
  lesson: (lessonId) => call("GET", `/api/lessons/${encodeURIComponent(lessonId)}`),
  startLesson: (id, body) => call("POST", `${s(id)}/lesson`, body),
  leaveLesson: (id) => call("DELETE", `${s(id)}/lesson`),
  answerLesson: (id, step, answer) => call("POST", `${s(id)}/lesson/answer`, { step, answer }),
  joinClass: (code, name) => call("POST", `/api/classes/${encodeURIComponent(code)}/students`, { name }),
  classInbox: (code) => call("GET", `/api/classes/${encodeURIComponent(code)}/broadcast`),
  goals: () => call("GET", "/api/goals"),
  makeExercise: (body) => call("POST", "/api/exercises", body),
  loadModel: (text) => call("POST", "/api/sessions/model", text, {}, { sendText: true }),
  share: (id) => call("POST", `${s(id)}/share`),
  sharedModel: (shareId) => call("GET", `/api/shares/${encodeURIComponent(shareId)}`, undefined, {}, { readText: true }),
  // own data (features/own_data.js, drawing.js): a CSV file's bytes as they are (the
  // server checks they are UTF-8), and a session's points added and removed
  uploadCsv: (file) => call("POST", "/api/datasets", file, { "content-type": "text/csv" }, { sendText: true }),
  editPoints: (id, body) => call("POST", `${s(id)}/points`, body),
  trace: (id, point, label) =>
    call("POST", `${s(id)}/trace`, label === undefined ? { point } : { point, label }),
};

// every parameter of a snapshot: float64 arrays in a binary frame
export const PARAMS = ["weights", "biases", "prelu_slopes", "bn_gamma", "bn_beta", "bn_mean", "bn_var"];

// A binary frame's float64 array (little-endian, row-major; its offset 8-byte aligned) as
// the nested lists of the JSON frame.
function exact(buffer, start, { shape, offset, length }) {
  const values = Array.from(new Float64Array(buffer, start + offset, length / 8));
  if (shape.length === 1) return values;
  const [rows, cols] = shape;
  return Array.from({ length: rows }, (_, r) => values.slice(r * cols, (r + 1) * cols));
}

// The play loop's channel: one WebSocket, one message out and one back per frame (a
// browser's fetch costs ~10 ms of its own per request on a small machine; a message ~1).
// A frame's work is bounded (~0.3 s at most) and its wait for a busy session is 1 s: an
// answer later than this means the link is gone.
const FRAME_TIMEOUT_MS = 8000;

export class PlayChannel {
  static open(sessionId) {
    return new Promise((resolve, reject) => {
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      const ws = new WebSocket(`${scheme}://${location.host}${s(sessionId)}/play`);
      ws.binaryType = "arraybuffer";
      ws.onopen = () => resolve(new PlayChannel(ws, sessionId));
      ws.onerror = () => reject(new ApiError("the play channel could not open", 0, null));
    });
  }

  constructor(ws, sessionId) {
    this.ws = ws;
    this.sessionId = sessionId;
    this.pending = null;
    this.last = null;            // the last frame pieced together (binary frames leave out
    this.lastNodes = {};         // what did not change) and the last node grids sent
    ws.onmessage = (ev) => this.settle((p) => {
      let data;
      try {
        data = typeof ev.data === "string" ? JSON.parse(ev.data) : this.piece(ev.data);
      } catch {
        p.reject(new ApiError("the server sent a frame that cannot be read", 502, null));
        return;
      }
      if (data.error) p.reject(new ApiError(data.error.message, data.error.status, data.error));
      else p.resolve(data);
    });
    this.closing = false;
    this.onDrop = () => {};      // the socket closed with no frame asked for, and not by us
    ws.onclose = () => {
      if (this.pending) this.settle((p) => p.reject(new ApiError("connection lost", 0, null)));
      else if (!this.closing) this.onDrop();
    };
  }

  // A binary frame (layout in playground/web/binary_frame.py and the README): the JSON
  // header, its grids' bytes in place, and what it left out taken from the frame before.
  piece(buffer) {
    const n = new DataView(buffer).getUint32(0, true);
    const frame = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, n)));
    const tail = new Uint8Array(buffer, 4 + n);
    const place = (grid) => { if (grid) grid.bytes = tail.subarray(grid.offset, grid.offset + grid.length); };
    const { snapshot, heatmaps } = frame;
    place(heatmaps.output);
    place(heatmaps.output_class);
    for (const key of PARAMS) {
      if (snapshot[key]) snapshot[key] = snapshot[key].map((a) => a && exact(buffer, 4 + n, a));
    }
    for (const key of [...snapshot.unchanged, ...(snapshot.not_sent || [])]) {
      snapshot[key] = this.last.snapshot[key];
    }
    for (const key of heatmaps.unchanged) heatmaps[key] = this.last.heatmaps[key];
    // the node grids: one block, grid after grid, their min and max in `range`
    const block = heatmaps.nodes;
    const ranges = block.range ? exact(buffer, 4 + n, block.range) : [];
    const size = heatmaps.node_resolution ** 2;
    heatmaps.nodes = {};
    block.ids.forEach((id, i) => {
      const offset = block.offset + i * size;
      heatmaps.nodes[id] = { encoding: "u8", min: ranges[i][0], max: ranges[i][1],
                             bytes: tail.subarray(offset, offset + size) };
    });
    for (const node of heatmaps.unchanged_nodes) heatmaps.nodes[node] = this.lastNodes[node];
    if (Object.keys(heatmaps.nodes).length) this.lastNodes = { ...heatmaps.nodes };
    this.last = { snapshot: { ...snapshot }, heatmaps: { ...heatmaps } };
    return frame;
  }

  get open() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  settle(fn) {
    const p = this.pending;
    this.pending = null;
    if (p) {
      clearTimeout(p.timer);
      fn(p);
    }
  }

  // A frame, or after FRAME_TIMEOUT_MS without an answer a lost connection (status 0):
  // a stalled link (Wi-Fi gone, the socket still open) must not leave the page waiting
  // in silence; this socket is closed and the next frame opens another.
  frame(body) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle((p) => p.reject(new ApiError("the server did not answer", 0, null)));
        this.close();
      }, FRAME_TIMEOUT_MS);
      this.pending = { resolve, reject, timer };
      this.ws.send(JSON.stringify({ ...body, binary: true }));
    });
  }

  close() {
    this.closing = true;
    this.ws.close();
  }
}
