// The runs kept in this browser (localStorage), for the compare panel: the newest MAX_RUNS,
// each its config, its loss curve thinned to MAX_POINTS, its final numbers and when it
// ended. What is read back was written by another tab, another release or a hand: each
// entry is checked, and one that is corrupt or oversized is left out, never trusted and
// never a reason for the page to break. Storage refused (a private window, a full quota):
// the page works on, keeping nothing.
//
// A run: {id, n (its number, "Run 3"), at (ms), config, offset, from, points, end}, where a
// point is [step, epoch, train_loss, test_loss, test_accuracy] (a loss or an accuracy may
// be null), its x on the chart is epoch - offset (epochs of training of its weights), and
// `from` > 0 says it went on from weights already trained that many epochs.

export const RUNS_KEY = "neural-playground.runs";
const LIVE_KEY = "neural-playground.live-run";   // this tab's run under way (sessionStorage)
export const MAX_RUNS = 8;
export const MAX_POINTS = 300;
const MAX_RUN_CHARS = 40_000;    // 300 points of ~60 characters and a config: ~20,000
const MAX_CHARS = MAX_RUNS * MAX_RUN_CHARS + 100;

const NUMBERS = ["classes", "num_samples", "noise", "train_ratio", "data_seed", "threshold",
  "learning_rate", "batch_size", "momentum", "reg_rate", "seed"];
const IDS = ["dataset", "optimizer", "regularization", "init"];

const isCount = (v) => Number.isInteger(v) && v >= 0;
const isLoss = (v) => v === null || Number.isFinite(v);

function validConfig(c) {
  return c !== null && typeof c === "object"
    && NUMBERS.every((k) => Number.isFinite(c[k])) && IDS.every((k) => typeof c[k] === "string")
    && (c.head === null || typeof c.head === "string")
    && Array.isArray(c.features) && c.features.length > 0 && c.features.every((f) => typeof f === "string")
    && Array.isArray(c.hidden) && c.hidden.every((h) => h !== null && typeof h === "object"
      && isCount(h.units) && typeof h.activation === "string" && Number.isFinite(h.dropout));
}

function validPoint(p) {
  return Array.isArray(p) && p.length === 5 && isCount(p[0]) && isCount(p[1]) && p.slice(2).every(isLoss);
}

export function validRun(run) {
  try {
    return run !== null && typeof run === "object" && typeof run.id === "string" && run.id.length <= 40
      && Number.isInteger(run.n) && run.n > 0 && Number.isFinite(run.at)
      && isCount(run.offset) && isCount(run.from) && validConfig(run.config)
      && Array.isArray(run.points) && run.points.length >= 1 && run.points.length <= MAX_POINTS
      && run.points.every(validPoint)
      && run.end !== null && typeof run.end === "object" && isCount(run.end.epoch)
      && ["train_loss", "test_loss", "test_accuracy"].every((k) => isLoss(run.end[k] ?? null))
      && JSON.stringify(run).length <= MAX_RUN_CHARS;
  } catch {
    return false;   // e.g. a cycle JSON cannot write
  }
}

// {next: the next run's number, runs: newest first}
export function readRuns() {
  let stored = null;
  try {
    const text = localStorage.getItem(RUNS_KEY);
    if (text && text.length <= MAX_CHARS) stored = JSON.parse(text);
  } catch { /* refused or not JSON: nothing kept */ }
  const runs = Array.isArray(stored?.runs) ? stored.runs.filter(validRun) : [];
  runs.sort((a, b) => b.at - a.at);
  const highest = Math.max(0, ...runs.map((r) => r.n));
  const next = Number.isInteger(stored?.next) && stored.next > highest ? stored.next : highest + 1;
  return { next, runs: runs.slice(0, MAX_RUNS) };
}

function writeRuns(kept) {
  try {
    localStorage.setItem(RUNS_KEY, JSON.stringify(kept));
  } catch { /* storage refused or full: the runs last this page */ }
}

// Keep `run` (a run already kept under its id is replaced and keeps its number); the
// oldest beyond MAX_RUNS go. Returns the run as kept.
export function keepRun(run) {
  const kept = readRuns();
  const before = kept.runs.find((r) => r.id === run.id);
  const stored = { ...run, n: before?.n ?? kept.next };
  if (!validRun(stored)) return null;
  const runs = [stored, ...kept.runs.filter((r) => r.id !== run.id)].sort((a, b) => b.at - a.at);
  writeRuns({ next: before ? kept.next : kept.next + 1, runs: runs.slice(0, MAX_RUNS) });
  return stored;
}

export function removeRun(id) {
  const kept = readRuns();
  writeRuns({ ...kept, runs: kept.runs.filter((r) => r.id !== id) });
}

export function clearRuns() {
  writeRuns({ next: readRuns().next, runs: [] });
}

// At most `most` points spread evenly over the run, its first and last among them.
export function thin(points, most = MAX_POINTS) {
  if (points.length <= most) return points;
  const picked = [];
  for (let i = 0; i < most; i++) picked.push(points[Math.round((i * (points.length - 1)) / (most - 1))]);
  return picked;
}

// This tab's run under way, so that a reload goes on with it (sessionStorage: per tab).
export function readLive() {
  try {
    const live = JSON.parse(sessionStorage.getItem(LIVE_KEY));
    const valid = typeof live?.id === "string" && typeof live.sessionId === "string"
      && isCount(live.startStep) && isCount(live.offset) && isCount(live.from)
      && validConfig(live.config) && validPoint(live.start);
    return valid ? live : null;
  } catch {
    return null;
  }
}

export function writeLive(live) {
  try {
    sessionStorage.setItem(LIVE_KEY, JSON.stringify(live));
  } catch { /* a reload then starts a new run */ }
}
