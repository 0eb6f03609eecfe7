// Messages: a refusal beside the control it is about (or in the banner across the page),
// notes under the data, and the lost-connection banner that tries the server again for
// about half a minute, then offers a button. Every text is worded in the page's language (a server refusal by its `code`, a
// page message by its string key) and worded again when the language changes.

import { api, ApiError } from "../api.js";
import { $ } from "../dom.js";

// ms before each try to reach a lost server (~30 s in all; then the page says what to do)
const RETRY_DELAYS = [500, 1000, 1000, 2000, 2000, 3000, 4000, 5000, 6000, 6000];

// A message of the page's own (bad typing, a limit reached): a string key and its values.
export class PageMessage extends Error {
  constructor(key, values = {}) {
    super(key);
    this.key = key;
    this.values = values;
  }
}

export class Messages {
  constructor(tr) {
    this.tr = tr;
    this.offline = false;
    this.sticky = null;          // what the divergence banner says, until the network is reset
    this.shown = null;           // the banner's message: {say: () => text, kind, sticky, action}
    this.slots = new Map();      // field -> the message in its slot
    this.noteShown = null;
    this.onReconnect = async () => {};
  }

  setTranslator(tr) {
    this.tr = tr;
    for (const [field, err] of this.slots) this.slot(field).textContent = this.describe(err);
    if (this.shown) this.paint(this.shown);
    if (this.noteShown) this.note(...this.noteShown);
  }

  describe(err) {
    if (err instanceof PageMessage) return this.tr.t(err.key, err.values);
    if (err instanceof ApiError) return this.tr.refusal(err);
    return this.tr.t("untitledError", { message: err?.message ?? String(err) });
  }

  slot(field) {
    return field ? document.querySelector(`[data-error-for="${field}"]`) : null;
  }

  // A refusal: beside its control when there is a slot for it, else in the banner.
  error(err, field) {
    if (err instanceof ApiError && err.status === 0) {
      this.lostConnection();
      return;
    }
    // the slot of the config field the refusal names, else the one of the control used
    const named = err instanceof ApiError ? err.field : null;
    const where = this.slot(named) ? named : this.slot(field) ? field : null;
    if (where) {
      this.slots.set(where, err);
      this.slot(where).textContent = this.describe(err);
    } else {
      this.banner(() => this.describe(err), "error");
    }
  }

  // Clear the slot of `field` (every slot without one) and a banner that is not sticky.
  clear(field) {
    for (const slot of document.querySelectorAll("[data-error-for]")) {
      if (!field || slot.dataset.errorFor === field || slot.textContent) {
        slot.textContent = "";
        this.slots.delete(slot.dataset.errorFor);
      }
    }
    if (!this.offline && !this.shown?.sticky) this.hideBanner();
  }

  // The banner across the page; `say` words it (again, after a language switch); an
  // `action` ({label, run}) is a button in it.
  banner(say, kind, sticky = false, action = null) {
    this.paint({ say: typeof say === "function" ? say : () => say, kind, sticky, action });
  }

  paint(shown) {
    this.shown = shown;
    const b = $("#banner");
    b.textContent = shown.say();
    if (shown.action) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = shown.action.label();
      button.addEventListener("click", shown.action.run);
      b.append(" ", button);
    }
    b.className = `banner ${shown.kind}`;
    b.hidden = false;
  }

  // A page message in the banner until the next change (a restored session).
  notice(key, values) {
    this.banner(() => this.tr.t(key, values), "notice");
  }

  hideBanner() {
    this.shown = null;
    $("#banner").hidden = true;
  }

  // The banner that stays while something is true (the network diverged); null takes it
  // down, and only it: another message in the banner stays.
  setSticky(say) {
    this.sticky = say;
    if (say) {
      if (!this.offline) this.banner(say, "error", true);
    } else if (this.shown?.sticky) {
      this.hideBanner();
    }
  }

  note(key, values) {
    this.noteShown = key ? [key, values] : null;
    $("#data-note").textContent = key ? this.tr.t(key, values) : "";
  }

  // The server does not answer (stopped, restarting, or the network is down): say so and
  // try again after RETRY_DELAYS, then say what to do and offer a button. When it answers,
  // onReconnect (resume.js) takes the session up again and returns what to say, or null
  // when it said it itself; a request that gets through meanwhile tries at once.
  lostConnection() {
    if (this.offline) return;
    this.offline = true;
    this.retryNow();
  }

  retryNow() {
    this.tries = 0;
    this.banner(() => this.tr.t("connectionLost"), "error");
    this.schedule();
  }

  schedule(delay = RETRY_DELAYS[this.tries]) {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.retry(), delay);
  }

  async retry() {
    if (this.retrying || !this.offline) return;
    this.retrying = true;
    let back;
    try {
      await api.health();
      back = await this.onReconnect();
    } catch (err) {
      // busy: a worker that died still holds the session for a few seconds (its lease)
      const passing = err instanceof ApiError && (err.status === 0 || err.code === "busy");
      if (!passing) {
        this.offline = false;        // the server answers, but refuses: say why
        this.error(err, null);
      } else if (++this.tries < RETRY_DELAYS.length) {
        this.schedule();
      } else {
        this.banner(() => this.tr.t("serverSilent"), "error", false,
                    { label: () => this.tr.t("tryAgain"), run: () => this.retryNow() });
      }
      return;
    } finally {
      this.retrying = false;
    }
    this.offline = false;
    if (!back) return;
    const shown = { say: () => this.tr.t(back.key, back.values), kind: "ok", sticky: false };
    this.paint(shown);
    setTimeout(() => {             // long enough to read it
      if (this.offline || this.shown !== shown) return;
      if (this.sticky) this.banner(this.sticky, "error", true);
      else this.hideBanner();
    }, back.key === "connectionBack" ? 4000 : 10000);
  }

  // A request got through: the server is back.
  recovered() {
    if (this.offline) this.schedule(0);
  }
}
