// The play loop and the run controls (Play/Pause, Step, One batch, Reset, Reseed, Space
// and → keys). One frame in flight at a time: the next is asked for after this one is
// drawn; a generation counter makes sure an old loop stops when Play is pressed again.

import { api, ApiError, PlayChannel } from "../api.js";
import { NODE_RESOLUTION, RESOLUTION } from "./state.js";

const HISTORY_CAP = 500;      // the server's History.capacity
const $ = (sel) => document.querySelector(sel);

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
  }

  bind() {
    $("#play").addEventListener("click", () => (this.playing ? this.pause() : this.play()));
    $("#step").addEventListener("click", () => this.stepOnce({ epochs: 1 }));
    $("#step-batch").addEventListener("click", () => this.stepOnce({ steps: 1 }));
    $("#reset").addEventListener("click", () => this.reset(false));
    $("#reseed").addEventListener("click", () => this.reset(true));
    document.addEventListener("keydown", (ev) => {
      const typing = ev.target.closest?.("input, select, textarea, button, [role=button], [tabindex]");
      if (typing) return;
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
      b.disabled = diverged && !(id === "#play" && this.playing);
      if (diverged) b.title = this.tr.t("divergedTitle");
    }
    if (!diverged) {
      $("#step").title = this.tr.t("stepTitle");
      $("#step-batch").title = this.tr.t("stepBatchTitle");
    }
    const button = $("#play");
    button.setAttribute("aria-label", this.playing ? "Pause" : "Play");
    if (!diverged) button.title = this.tr.t(this.playing ? "pause" : "play");
    button.classList.toggle("playing", this.playing);
    button.querySelector(".play-icon").textContent = this.playing ? "❚❚" : "▶";
  }

  play() {
    if (this.playing || this.state.diverged) return;
    this.playing = true;
    const generation = ++this.generation;
    this.render();
    // a new loop starts only when the previous one has landed its frame: one step in flight
    this.looping = this.looping.then(() => this.loop(generation))
      .catch((err) => this.state.messages.error(err, null));
  }

  pause() {
    if (!this.playing) return;
    this.playing = false;
    this.generation++;
    this.render();
  }

  // Stop playing and wait for the frame in flight to land (before a step or a reset).
  async halt() {
    this.pause();
    await this.looping;
  }

  async stepOnce(body) {
    await this.halt();
    if (this.state.diverged) return;
    await this.state.request(async () => this.state.show(await api.step(this.state.sessionId, body)), null);
  }

  async reset(newSeed) {
    await this.halt();
    const seed = newSeed ? Math.floor(Math.random() * 2 ** 31) : undefined;
    await this.state.request(async () => this.state.show(await api.reset(this.state.sessionId, seed)), null);
  }

  async loop(generation) {
    // A frame is one request (train + snapshot + heatmaps) and carries only the history
    // points the page does not have yet; past HISTORY_CAP points the page takes the
    // server's thinned history again, so a long run costs what a short one does.
    const state = this.state;
    while (this.playing && generation === this.generation) {
      try {
        const history = state.history;
        const last = history.length ? history[history.length - 1].step : -1;
        const full = history.length >= HISTORY_CAP;
        const body = {
          ...this.work(), resolution: RESOLUTION, node_resolution: NODE_RESOLUTION,
          history_since: full ? undefined : last,
        };
        const channel = await this.playChannel();
        let frame;
        try {
          frame = channel ? await channel.frame(body) : await api.frame(state.sessionId, body);
        } catch (err) {
          // the session is busy with another request (e.g. an edit): wait, then go on
          if (!(err instanceof ApiError && err.code === "busy")) throw err;
          await new Promise((done) => setTimeout(done, 1000 * (err.params.retry_after || 1)));
          continue;
        }
        // paused meanwhile: still show this frame (the server did train it)
        await state.showFrame(frame, { replaceHistory: full });
        state.messages.recovered();
        if (state.diverged) { this.pause(); return; }
      } catch (err) {
        if (generation !== this.generation) return;
        this.pause();
        if (err instanceof ApiError && err.status === 404 && (err.code === "unknown_session" || /unknown session/.test(err.message))) {
          await state.open(state.config);
        } else {
          state.messages.error(err, null);
        }
        return;
      }
    }
  }

  // A frame's training: the speed's epochs, but no more than one call may run on this
  // network and data (snapshot.max_epochs_per_call); steps when not even one epoch fits.
  work() {
    const snap = this.state.snapshot;
    const most = snap?.max_epochs_per_call ?? this.speed;
    return most >= 1 ? { epochs: Math.min(this.speed, most) } : { steps: snap.max_steps_per_call };
  }

  // The WebSocket for this session, opened on first use; null where it cannot open (a
  // proxy that refuses WebSockets): the loop then uses POST /frame, the same frames.
  async playChannel() {
    const id = this.state.sessionId;
    if (this.channel?.open && this.channel.sessionId === id) return this.channel;
    this.channel?.close();
    this.channel = null;
    if (this.noWebSocket) return null;
    try {
      this.channel = await PlayChannel.open(id);
    } catch {
      this.noWebSocket = true;
    }
    return this.channel;
  }
}
