// The playground's state on the page: the session id and what the server last said (the
// snapshot, its history, the heatmaps, the data points). Feature controllers change it
// only through the API and learn of changes through two hooks: `prepare` (async, before a
// draw: e.g. the step-through re-traces its point) and `render` (draw everything).

import { api, ApiError, isUnknownSession } from "../api.js";

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

  async open(config) {
    const snap = await api.create(config);
    this.divergence = null;
    this.sessionId = snap.id;
    await this.show(snap, { data: true });
    return snap;
  }

  // A snapshot from any request: fetch what it does not carry (heatmaps; the points when
  // the data changed), then draw.
  async show(snap, { data = false } = {}) {
    this.diagramFresh = true;
    const [heatmaps, points] = await Promise.all([
      api.heatmaps(this.sessionId, RESOLUTION),
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
    const next = this.changes.then(() => this.quiet(() => this.request(run, field)));
    this.changes = next.catch(() => {});
    return next;
  }

  // Run a request: a refusal is shown by its control (or in the banner), a lost server
  // starts the reconnecting banner, an expired session is started again from its config.
  async request(run, field) {
    this.messages.clear(field);
    try {
      await run();
      this.messages.recovered();
      return true;
    } catch (err) {
      try {
        if (isUnknownSession(err)) {
          await this.open(this.config);
          return false;
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
