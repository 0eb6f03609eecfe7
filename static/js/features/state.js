// The playground's state on the page: the session id and what the server last said (the
// snapshot, its history, the heatmaps, the data points). Feature controllers change it
// only through the API and learn of changes through two hooks: `prepare` (async, before a
// draw: e.g. the step-through re-traces its point) and `render` (draw everything).

import { api, ApiError, isUnknownSession, PARAMS } from "../api.js";
import { keepSession } from "./resume.js";

export const RESOLUTION = 50;        // the output plot's grid
export const NODE_RESOLUTION = 16;   // node thumbnails are 38 px: 16 x 16 cells, smoothed, look the same
export const DATA_FIELDS = ["dataset", "classes", "num_samples", "noise", "train_ratio", "data_seed"];

export class Playground {
  constructor(catalog, messages) {
    this.catalog = catalog;
    this.messages = messages;
    this.sessionId = null;
    this.snapshot = null;
    this.config = null;
    this.history = [];
    this.heatmaps = null;
    this.data = null;
    this.framesDrawn = 0;        // read by benchmarks/page_play.py
    this.diagramFresh = true;    // the heatmaps carry node grids from this state
    this.divergence = null;      // the snapshot that diverged, until Reset
    this.hooks = { prepare: [], render: [] };
    this.changes = Promise.resolve();   // changes run one after another
    this.quiet = (fn) => fn();          // the play loop stops around a change (set by main.js)
    this.nodeIds = () => null;          // the node grids a snapshot's diagram shows (null: all; main.js)
  }

  on(hook, fn) {
    this.hooks[hook].push(fn);
  }

  // Diverged, until Reset: the server lets a changed learning rate train the last finite
  // weights again, but they sit at the edge of overflow and diverge at once, so the page
  // keeps training off until the network starts afresh.
  get diverged() {
    return Boolean(this.snapshot?.diverged || this.divergence);
  }

  clearDivergence() {
    this.divergence = null;
  }

  // This tab's session from now on (kept for a reload: resume.js).
  adopt(snap) {
    this.divergence = null;
    this.sessionId = snap.id;
    keepSession(snap.id);
  }

  async open(config) {
    const snap = await api.create(config);
    this.adopt(snap);
    await this.show(snap, { data: true });
    return snap;
  }

  // Take up a session the server kept (a reload, the server back after a restart).
  async reopen(snap) {
    this.adopt(snap);
    await this.show(snap, { data: true });
    return snap;
  }

  // What the page last showed, enough to make its session again.
  held() {
    const { id, config, epoch } = this.snapshot;
    // every parameter the snapshot has, given back to a session made again (PUT /params)
    const params = Object.fromEntries(PARAMS.map((key) => [key, this.snapshot[key]]));
    return { id, config, params, epoch };
  }

  // The session `gone` is gone (expired, evicted, deleted): made again from what the page
  // last showed (`held`): a new session with its config, then its weights, biases, PReLU
  // slopes and batch norm values, and the learner told so (the epoch counter, the loss history and the
  // optimizer's running averages start again). One restore at a time; a request that
  // failed on a session already made again restores nothing.
  restore(gone, held = this.held()) {
    if (this.restoring) return this.restoring;
    if (gone !== this.sessionId) return Promise.resolve();
    this.restoring = this.remake(held).finally(() => { this.restoring = null; });
    return this.restoring;
  }

  async remake({ config, params, epoch }) {
    const made = await api.create(config);
    let snap = made;
    let key = epoch > 0 ? "sessionRestored" : "sessionRestoredAtStart";
    try {
      snap = await api.putParams(made.id, params);
    } catch (err) {
      // a lost server: the page still holds the parameters and restores them when it is
      // back (this new session is left to expire); refused ones: the settings alone
      if (err?.status !== 422) throw err;
      key = "sessionRestartedFresh";
    }
    this.adopt(snap);
    await this.show(snap, { data: true });
    this.messages.notice(key, { epoch });
    return snap;
  }

  // A snapshot from any request: fetch what it does not carry (heatmaps, the node grids
  // its diagram shows only; the points when the data changed), then draw.
  async show(snap, { data = false } = {}) {
    this.diagramFresh = true;
    const [heatmaps, points] = await Promise.all([
      api.heatmaps(this.sessionId, RESOLUTION, this.nodeIds(snap)),
      data || !this.data ? api.data(this.sessionId) : Promise.resolve(this.data),
    ]);
    this.heatmaps = heatmaps;
    this.data = points;
    await this.accept(snap, snap.history);
  }

  // A play-loop frame: the snapshot (with only the new history) and the heatmaps at once.
  // A frame asked for without node grids keeps the last ones (the diagram is not redrawn).
  async showFrame(frame, { replaceHistory }) {
    this.diagramFresh = !frame.withoutNodes;
    if (frame.withoutNodes && this.heatmaps) {
      frame.heatmaps.nodes = this.heatmaps.nodes;
      frame.heatmaps.node_resolution = this.heatmaps.node_resolution;
    }
    this.heatmaps = frame.heatmaps;
    const history = replaceHistory ? frame.snapshot.history : this.history.concat(frame.snapshot.history);
    await this.accept(frame.snapshot, history);
    this.framesDrawn += 1;
  }

  async accept(snap, history) {
    if (snap.diverged) this.divergence = snap;
    snap.history = history;
    this.snapshot = snap;
    this.history = history;
    this.config = snap.config;
    for (const fn of this.hooks.prepare) await fn();
    this.render();
  }

  render() {
    if (!this.snapshot) return;
    for (const fn of this.hooks.render) fn(this.snapshot);
  }

  // A change of the playground (a setting, an edit, an applied update): queued behind the
  // one before, run with the play loop stopped, so no frame trained on the old state lands
  // after it and no change reads a config an earlier one is about to replace.
  change(run, field) {
    return this.queue(() => this.request(run, field));
  }

  // Run `run` in that queue with the play loop stopped; its refusals are the caller's.
  queue(run) {
    const next = this.changes.then(() => this.quiet(run));
    this.changes = next.catch(() => {});
    return next;
  }

  // Run a request: a refusal is shown by its control (or in the banner), a lost server
  // starts the reconnecting banner, a session gone is restored from what the page shows
  // and the request run again on it.
  async request(run, field) {
    this.messages.clear(field);
    const id = this.sessionId;
    try {
      await run();
      this.messages.recovered();
      return true;
    } catch (err) {
      try {
        if (isUnknownSession(err)) {
          await this.restore(id);
          await run();
          return true;
        }
        this.messages.error(err, field);
        if (err instanceof ApiError && err.code === "diverged") {
          await this.show(await api.get(this.sessionId));   // diverged meanwhile: show it
          return false;
        }
        this.render();   // the controls show what the server kept
      } catch (again) {
        this.messages.error(again, field);
      }
      return false;
    }
  }
}
