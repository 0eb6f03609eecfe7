// The play loop and the run controls (Play/Pause, Step, One batch, Reset, Reseed, Space
// and → keys). The loop paces itself by the display: at each animation frame it draws the
// frame that came back since the last one and, if none is in flight, asks for the next,
// so there is at most one request per animation frame and one in flight. The speed is a
// learning speed (epochs per display frame at 60 Hz): when answers come back slower than
// the display (a loaded server) the epochs owed pile up and go into the next request, so
// learning goes on at the same pace in fewer, fuller frames. A hidden tab gets no
// animation frames, so it stops asking. A generation counter stops an old loop when Play
// is pressed again.

import { api, ApiError, isUnknownSession, PlayChannel } from "../api.js";
import { $, setAttr, setProp, setText } from "../dom.js";
import { NODE_RESOLUTION, RESOLUTION } from "./state.js";

const HISTORY_CAP = 500;      // the server's History.capacity
const DISPLAY_HZ = 60;        // the speed menu counts epochs per frame at this rate
const MAX_TICK = 0.25;        // s: a longer gap (a stall, a hidden tab) owes no more than this
const STALL_MS = 1000;        // a request in flight longer owes nothing more meanwhile: a
                              // stalled link must not come back to a burst of epochs
const FRAME_BUDGET = 28;      // ms a request should take, to keep >= 30 frames/s at any speed
const SLOW_BUDGET = 110;      // ms, when the server cannot make FRAME_BUDGET: never a slideshow
// A diagram of over BIG_DIAGRAM edges is redrawn at most every DIAGRAM_MS and every
// DIAGRAM_FRAMES-th frame (10 Hz at 60 frames/s, 5 Hz at 20), and only those frames carry
// its node grids and weights (~50 KB on MAX); the plot and the read-outs get every frame.
const BIG_DIAGRAM = 300;
const DIAGRAM_MS = 100;
const DIAGRAM_FRAMES = 4;

export class PlayLoop {
  constructor(state, { tr, speed }) {
    this.state = state;
    this.tr = tr;
    this.speed = speed;
    this.playing = false;
    this.generation = 0;
    this.looping = Promise.resolve();
    this.channel = null;
    this.noWebSocket = false;
    this.bigDiagram = false;     // redrawn every few frames only (diagramDue)
  }

  bind() {
    $("#play").addEventListener("click", () => (this.playing ? this.pause() : this.play()));
    $("#step").addEventListener("click", () => this.stepOnce({ epochs: 1 }));
    $("#step-batch").addEventListener("click", () => this.stepOnce({ steps: 1 }));
    $("#reset").addEventListener("click", () => this.reset(false));
    $("#reseed").addEventListener("click", () => this.reset(true));
    document.addEventListener("keydown", (ev) => {
      const typing = ev.target.closest?.("input, select, textarea, button, [role=button], [tabindex]");
      if (typing || document.querySelector("dialog[open]")) return;   // a dialog's keys are its own
      if (ev.code === "Space") {
        ev.preventDefault();
        this.playing ? this.pause() : this.play();
      } else if (ev.key === "ArrowRight") {
        ev.preventDefault();
        this.stepOnce({ epochs: 1 });
      }
    });
  }

  setTranslator(tr) {
    this.tr = tr;
    this.render();
  }

  // Play and the step buttons say why they are off when the network diverged.
  render() {
    const diverged = this.state.diverged;
    for (const id of ["#play", "#step", "#step-batch"]) {
      const b = $(id);
      setProp(b, "disabled", diverged && !(id === "#play" && this.playing));
      if (diverged) setProp(b, "title", this.tr.t("divergedTitle"));
    }
    if (!diverged) {
      setProp($("#step"), "title", this.tr.t("stepTitle"));
      setProp($("#step-batch"), "title", this.tr.t("stepBatchTitle"));
    }
    const button = $("#play");
    setAttr(button, "aria-label", this.tr.t(this.playing ? "pause" : "play"));
    if (!diverged) setProp(button, "title", this.tr.t(this.playing ? "pause" : "play"));
    button.classList.toggle("playing", this.playing);
    setText(button.querySelector(".play-icon"), this.playing ? "❚❚" : "▶");
  }

  play() {
    if (this.playing || this.state.diverged) return;
    this.playing = true;
    this.state.messages.note(null);
    const generation = ++this.generation;
    this.render();
    // a new loop starts only when the previous one has landed its frame: one step in flight
    this.looping = this.looping.then(() => this.loop(generation));
  }

  // Stop asking for frames. A loop with nothing in flight settles at once (drawing a frame
  // that came back meanwhile), so halt() never waits for an animation frame to arrive.
  pause() {
    if (!this.playing) return;
    this.playing = false;
    this.generation++;
    this.render();
    const run = this.run;
    if (run && !run.inFlight) this.land(run).catch((err) => this.state.messages.error(err, null)).finally(run.finish);
  }

  // Stop playing and wait for the frame in flight to land (before a step or a reset).
  async halt() {
    this.pause();
    await this.looping;
  }

  // Run a change with the loop stopped, then play on (a frame trained on the old settings
  // must not land after the change: the epoch would go back, a menu would flip back).
  async around(change) {
    const wasPlaying = this.playing;
    await this.halt();
    try {
      return await change();
    } finally {
      if (wasPlaying && !this.state.diverged) this.play();
    }
  }

  async stepOnce(body) {
    await this.halt();
    if (this.state.diverged) return;
    this.state.messages.note(null);
    await this.state.request(async () => this.state.show(await api.step(this.state.sessionId, body)), null);
  }

  async reset(newSeed) {
    await this.halt();
    const seed = newSeed ? Math.floor(Math.random() * 2 ** 31) : undefined;
    await this.state.request(async () => {
      const snap = await api.reset(this.state.sessionId, seed);
      this.state.clearDivergence();
      await this.state.show(snap);
    }, null);
  }

  loop(generation) {
    return new Promise((resolve) => {
      const run = { generation, owed: 0, last: performance.now(), inFlight: false, ready: null };
      run.finish = () => {
        if (run.finished) return;
        run.finished = true;
        if (this.run === run) this.run = null;
        resolve();
      };
      this.run = run;
      requestAnimationFrame((now) => this.tick(run, now));
    });
  }

  // One animation frame of the loop: ask for more if owed, then draw what came back (the
  // server trains the next frame while this one is drawn: an answer that misses the next
  // animation frame costs a frame). An error while drawing stops the loop and is said; it
  // never leaves the loop unsettled.
  async tick(run, now) {
    if (run.finished) return;
    try {
      const ready = run.ready;
      run.ready = null;
      const going = this.playing && run.generation === this.generation && !ready?.snapshot.diverged;
      if (going) this.askMore(run, now, ready);
      if (ready) await this.show(ready);
      if (this.state.diverged) this.pause();
      if (!this.playing || run.generation !== this.generation) {
        if (!run.inFlight) run.finish();
        return;
      }
      requestAnimationFrame((t) => this.tick(run, t));
    } catch (err) {
      this.pause();
      this.state.messages.error(err, null);
      if (!run.inFlight) run.finish();
    }
  }

  // Ask for the epochs owed since the last animation frame, unless a request is in flight;
  // `ready` is the frame about to be drawn (its history counts as the page's).
  askMore(run, now, ready) {
    const most = this.maxEpochs();
    const stalled = run.inFlight && now - run.sentAt > STALL_MS;
    const gap = stalled ? 0 : Math.min(MAX_TICK, (now - run.last) / 1000);
    run.owed = Math.min(run.owed + this.speed * DISPLAY_HZ * gap, 2 * Math.max(1, most));
    run.last = now;
    if (run.inFlight || Date.now() < (run.busyUntil || 0) || run.owed < 1) return;
    if (most >= 1) {
      const epochs = Math.min(Math.floor(run.owed), most, affordable(run.timings));
      run.owed -= epochs;
      this.request(run, { epochs }, ready);
    } else {                     // not even one epoch fits in a call: the most steps that do
      run.owed = 0;
      this.request(run, { steps: this.state.snapshot.max_steps_per_call }, ready);
    }
  }

  // Draw the frame that came back, if any (the server did train it, paused or not).
  async land(run) {
    if (!run.ready) return;
    const frame = run.ready;
    run.ready = null;
    await this.show(frame);
  }

  async show(frame) {
    await this.state.showFrame(frame, { replaceHistory: frame.replaceHistory });
    this.state.messages.recovered();
  }

  // Whether the next frame should carry the diagram (node grids and weights): always for a
  // small diagram; for a big one (hundreds of edges, a canvas per node) see DIAGRAM_MS.
  diagramDue() {
    const snap = this.state.snapshot;
    const edges = snap ? snap.weights.reduce((n, m) => n + m.length * (m[0]?.length || 0), 0) : 0;
    const now = performance.now();
    this.bigDiagram = edges > BIG_DIAGRAM;
    this.framesSinceDiagram = (this.framesSinceDiagram ?? DIAGRAM_FRAMES) + 1;
    if (!this.bigDiagram || (now - (this.nodesAt || 0) >= DIAGRAM_MS
                                 && this.framesSinceDiagram >= DIAGRAM_FRAMES)) {
      this.nodesAt = now;
      this.framesSinceDiagram = 0;
      return true;
    }
    return false;
  }

  // The most epochs one request may ask for on this network and data (the server's bound,
  // snapshot.max_epochs_per_call); 0 when not even one epoch fits in a call.
  maxEpochs() {
    return epochsPerCall(this.state.snapshot, this.state.catalog.limits);
  }

  // A frame carries only the history points the page does not have yet (counting those of
  // `ready`, the frame being drawn); past HISTORY_CAP points the page takes the server's
  // thinned history again, so a long run costs what a short one does.
  async request(run, work, ready = null) {
    const state = this.state;
    run.inFlight = true;
    run.sentAt = performance.now();
    run.sessionId = state.sessionId;
    try {
      const points = ready?.snapshot.history || [];
      const history = ready?.replaceHistory ? points : state.history.concat(points);
      const last = history.length ? history[history.length - 1].step : -1;
      const full = history.length >= HISTORY_CAP;
      const nodes = this.diagramDue();
      const body = {
        ...work, resolution: RESOLUTION, node_resolution: NODE_RESOLUTION, nodes,
        node_ids: (nodes && this.nodeIds?.()) || undefined, history_since: full ? undefined : last,
      };
      const channel = await this.playChannel();
      const sent = performance.now();
      const frame = channel ? await channel.frame(body) : await api.frame(state.sessionId, body);
      if (work.epochs) run.timings = [...(run.timings || []).slice(-15), [work.epochs, performance.now() - sent]];
      frame.replaceHistory = full;
      frame.withoutNodes = !nodes;
      run.ready = frame;         // drawn at the next animation frame, even if paused meanwhile
    } catch (err) {
      if (err instanceof ApiError && err.code === "busy") {
        // the session is busy with another request (an edit from another tab): wait, go on
        run.busyUntil = Date.now() + 1000 * (err.params.retry_after || 1);
        return;
      }
      const playing = this.playing && run.generation === this.generation;
      this.pause();
      try {
        if (isUnknownSession(err)) {
          await state.restore(run.sessionId);   // from what the page shows; then play on
          if (playing) this.play();
        } else {
          if (err instanceof ApiError && err.status === 0) this.playOnReconnect ||= playing;
          state.messages.error(err, null);
        }
      } catch (again) {
        state.messages.error(again, null);
      }
    } finally {
      run.inFlight = false;
      if (!this.playing || run.generation !== this.generation) {
        // paused while this was in flight: draw it, then settle
        try {
          await this.land(run);
        } catch (err) {
          state.messages.error(err, null);
        } finally {
          run.finish();
        }
      }
    }
  }

  // The WebSocket for this session, opened on first use; null where it cannot open (a
  // proxy that refuses WebSockets): the loop then uses POST /frame, the same frames. A
  // socket that cannot open because the server does not answer is a lost server (status
  // 0), not a reason to give up WebSockets.
  async playChannel() {
    const id = this.state.sessionId;
    if (this.channel?.open && this.channel.sessionId === id) return this.channel;
    this.channel?.close();
    this.channel = null;
    if (this.noWebSocket) return null;
    try {
      this.channel = await PlayChannel.open(id);
      this.channel.onDrop = () => this.dropped();
    } catch {
      await api.health();
      this.noWebSocket = true;
    }
    return this.channel;
  }

  // The socket closed between frames (the server stopped): when the server does not
  // answer either, the page says so even while nothing plays (the next frame opens
  // another socket otherwise).
  async dropped() {
    try {
      await api.health();
    } catch (err) {
      this.state.messages.error(err, null);
    }
  }

  // The server is back after a lost connection (resume.js): play on if it was playing.
  playOn() {
    if (this.playOnReconnect) this.play();
    this.playOnReconnect = false;
  }
}

// The most epochs one request may ask for on the network and data of `snap` (its
// max_epochs_per_call and the steps one call may run); 0 when not even one epoch fits.
export function epochsPerCall(snap, limits) {
  const bySteps = Math.floor(limits.max_steps_per_call / Math.max(1, snap?.steps_per_epoch || 1));
  return Math.max(0, Math.min(bySteps, snap?.max_epochs_per_call ?? bySteps));
}

// How many epochs one request may carry and still come back within FRAME_BUDGET, from
// the last round trips fitted as overhead + cost x epochs. When even one epoch is over
// that budget (a loaded server), frames may take up to SLOW_BUDGET: fuller frames keep
// the learning speed up, and ~9 frames/s keep it from turning into a slideshow.
function affordable(timings = []) {
  if (timings.length < 2) return 1;
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const ns = timings.map(([n]) => n), ts = timings.map(([, t]) => t);
  const mn = mean(ns), mt = mean(ts);
  const varN = mean(ns.map((n) => (n - mn) ** 2));
  let cost = varN > 0 ? mean(timings.map(([n, t]) => (n - mn) * (t - mt))) / varN : 0;
  let overhead = mt - cost * mn;
  if (!(cost > 0) || overhead < 0) { cost = mt / mn; overhead = 0; }   // not separable yet
  const budget = overhead + cost < FRAME_BUDGET ? FRAME_BUDGET : SLOW_BUDGET;
  return Math.max(1, Math.floor((budget - overhead) / cost));
}
