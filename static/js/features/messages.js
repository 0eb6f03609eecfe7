// Messages: a refusal beside the control it is about (or in the banner across the page),
// notes under the data, and the lost-connection banner that retries until the server is
// back. Every text is worded in the page's language (a server refusal by its `code`, a
// page message by its string key) and worded again when the language changes.

import { api, ApiError } from "../api.js";
import { $ } from "../dom.js";

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
    this.shown = null;           // the banner's message: {say: () => text, kind, sticky}
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

  // The banner across the page; `say` words it (again, after a language switch).
  banner(say, kind, sticky = false) {
    this.paint({ say: typeof say === "function" ? say : () => say, kind, sticky });
  }

  paint(shown) {
    this.shown = shown;
    const b = $("#banner");
    b.textContent = shown.say();
    b.className = `banner ${shown.kind}`;
    b.hidden = false;
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

  lostConnection() {
    if (this.offline) return;
    this.offline = true;
    this.banner(() => this.tr.t("connectionLost"), "error");
    const retry = async () => {
      try {
        await api.health();
        await this.onReconnect();
      } catch {
        setTimeout(retry, 1500);
        return;
      }
      this.offline = false;
      this.banner(() => this.tr.t("connectionBack"), "ok");
      setTimeout(() => {
        if (this.offline || this.shown?.kind !== "ok") return;
        if (this.sticky) this.banner(this.sticky, "error", true);
        else this.hideBanner();
      }, 2500);
    };
    setTimeout(retry, 1000);
  }

  recovered() {
    this.offline = false;
  }
}
