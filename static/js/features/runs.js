// Runs: what the learner tried, kept to compare. A run is one training trajectory under
// one config. It ends when the network starts again (Reset, Reseed, a rebuild, new data, a
// model loaded, a lesson step begun again: a new session or the step counter going back)
// or when a setting that changes training changes after it trained; a run that trained at
// least one step is then kept (run_store.js). The run that follows a settings change on
// trained weights "goes on from" that epoch (`from`), and its curve starts there; a run
// from fresh weights starts at 0 (`offset`: the epoch counter where its weights were new).
// The tracker only watches what the page draws (the `render` hook): every number is the
// server's.

import { keepRun, readLive, readRuns, RUNS_KEY, thin, writeLive } from "./run_store.js";

// Settings that do not change the losses of the run under way: the threshold reads the
// accuracy only; the initialization and the seed shape the next Reset's weights. A run
// keeps those it started with (the weights came from them).
const OUTSIDE_THE_RUN = ["threshold", "init", "seed"];

export function trajectoryKey(config) {
  const rest = { ...config };
  for (const k of OUTSIDE_THE_RUN) delete rest[k];
  return JSON.stringify(rest);
}

// A history point (or a snapshot's metrics at its step) as a stored point; losses kept
// to 5 significant digits (the chart draws ~300 px).
const round = (v) => (v === null || v === undefined || !Number.isFinite(v) ? null : Number(v.toPrecision(5)));
const toPoint = (p) => [p.step, p.epoch, round(p.train_loss), round(p.test_loss), round(p.test_accuracy)];
const snapshotPoint = (snap) => toPoint({ step: snap.step, epoch: snap.epoch, ...snap.metrics });

export class RunTracker {
  constructor(state) {
    this.state = state;
    this.live = null;
    this.kept = readRuns().runs;
    this.listeners = { kept: [], live: [] };
  }

  bind() {
    this.state.on("render", (snap) => this.see(snap));
    // a tab closed ends its run: kept now (a reload goes on with it under the same id)
    addEventListener("pagehide", () => this.keep(this.live));
    addEventListener("storage", (ev) => {
      if (ev.key === RUNS_KEY || ev.key === null) this.changed();   // another tab kept or cleared runs
    });
  }

  // hook "kept": the kept runs changed; "live": the run under way drew a new snapshot
  on(hook, fn) {
    this.listeners[hook].push(fn);
  }

  changed() {
    this.kept = readRuns().runs.filter((r) => r.id !== this.live?.id);
    for (const fn of this.listeners.kept) fn(this.kept);
  }

  see(snap) {
    const live = this.live;
    if (live && this.sameRun(live, snap)) {
      live.last = snap;
      live.history = this.state.history;
      for (const fn of this.listeners.live) fn();
      return;
    }
    if (live) this.keep(live);
    this.live = live ? this.begin(snap) : this.takeUp(snap);
    this.changed();
  }

  // Called on every frame: the cheap tests first (a frame's config is the same object
  // when it did not change).
  sameRun(live, snap) {
    if (snap.id !== live.sessionId || snap.step < live.last.step) return false;
    return snap.config === live.last.config || trajectoryKey(snap.config) === live.key;
  }

  // A new run from this snapshot (the one before it just ended).
  begin(snap) {
    const fresh = snap.step === 0 || Boolean(snap.rebuilt?.all_weights);
    return this.start(snap, {
      id: newId(), startStep: snap.step, offset: fresh ? snap.epoch : 0, from: fresh ? 0 : snap.epoch,
      config: structuredClone(snap.config), start: snapshotPoint(snap),
    });
  }

  // The page's first snapshot: this tab's run under way before a reload goes on; else a
  // run from where the session's history starts (step 0 unless a model was loaded).
  takeUp(snap) {
    const was = readLive();
    if (was && was.sessionId === snap.id && was.startStep <= snap.step
        && trajectoryKey(was.config) === trajectoryKey(snap.config)) {
      return this.start(snap, was);
    }
    const first = this.state.history[0];
    const start = first ? toPoint(first) : snapshotPoint(snap);
    const fresh = start[0] === 0;
    return this.start(snap, {
      id: newId(), startStep: start[0], offset: fresh ? start[1] : 0, from: fresh ? 0 : start[1],
      config: structuredClone(snap.config), start,
    });
  }

  start(snap, run) {
    const live = { ...run, sessionId: snap.id, key: trajectoryKey(run.config), last: snap, history: this.state.history };
    const { id, sessionId, startStep, offset, from, config, start } = live;
    writeLive({ id, sessionId, startStep, offset, from, config, start });
    return live;
  }

  // The run as kept (null when it never trained): its curve thinned, its numbers rounded.
  record(live) {
    if (!live || live.last.step <= live.startStep) return null;
    const run = this.describe(live);
    const end = Object.fromEntries(Object.entries(run.end).map(([k, v]) => [k, k === "epoch" ? v : round(v)]));
    return { ...run, at: Date.now(), points: thin(run.points), end };
  }

  keep(live) {
    const run = this.record(live);
    if (run) keepRun(run);
  }

  // The run under way, as the compare panel draws it (every point).
  current() {
    return this.live && this.describe(this.live);
  }

  describe(live) {
    const { id, config, offset, from } = live;
    const m = live.last.metrics;
    return {
      id, config, offset, from,
      points: [live.start, ...live.history.filter((p) => p.step > live.startStep).map(toPoint)],
      end: { epoch: live.last.epoch, train_loss: m.train_loss ?? null, test_loss: m.test_loss ?? null,
             test_accuracy: m.test_accuracy ?? null },
    };
  }
}

const newId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
