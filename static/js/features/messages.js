// Messages: a refusal beside the control it is about (or in the banner across the page),
// notes under the data, and the lost-connection banner that retries until the server is
// back. Every text is worded in the page's language: a server refusal by its `code`, a
// page message by its string key.

import { api, ApiError } from "../api.js";

const $ = (sel) => document.querySelector(sel);

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
    this.sticky = null;          // the divergence banner stays until the network is reset
    this.onReconnect = async () => {};
  }

  setTranslator(tr) {
    this.tr = tr;
    if (this.noteShown) this.note(...this.noteShown);   // the note in the new language
  }

  describe(err) {
    if (err instanceof PageMessage) return this.tr.t(err.key, err.values);
    if (err instanceof ApiError) return this.tr.refusal(err);
    return this.tr.t("untitledError", { message: err?.message ?? String(err) });
  }

  // A refusal: beside its control when there is a slot for it, else in the banner.
  error(err, field) {
    if (err instanceof ApiError && err.status === 0) {
      this.lostConnection();
      return;
    }
    // the slot of the config field the refusal names, else the one of the control used
    const slotOf = (f) => f && document.querySelector(`[data-error-for="${f}"]`);
    const slot = slotOf(err instanceof ApiError && err.field) || slotOf(field);
    const text = this.describe(err);
    if (slot) slot.textContent = text;
    else this.banner(text, "error");
  }

  // Clear the slot of `field` (every slot without one) and a banner that is not sticky.
  clear(field) {
    for (const slot of document.querySelectorAll("[data-error-for]")) {
      if (!field || slot.dataset.errorFor === field || slot.textContent) slot.textContent = "";
    }
    if (!this.offline && !this.sticky) $("#banner").hidden = true;
  }

  banner(text, kind) {
    const b = $("#banner");
    b.textContent = text;
    b.className = `banner ${kind}`;
    b.hidden = false;
  }

  // The banner that stays while something is true (the network diverged); null clears it.
  setSticky(text) {
    this.sticky = text;
    if (text) this.banner(text, "error");
    else if (!this.offline) $("#banner").hidden = true;
  }

  note(key, values) {
    this.noteShown = key ? [key, values] : null;
    $("#data-note").textContent = key ? this.tr.t(key, values) : "";
  }

  lostConnection() {
    if (this.offline) return;
    this.offline = true;
    this.banner(this.tr.t("connectionLost"), "error");
    const retry = async () => {
      try {
        await api.health();
      } catch {
        setTimeout(retry, 1500);
        return;
      }
      this.offline = false;
      await this.onReconnect();
      this.banner(this.tr.t("connectionBack"), "ok");
      setTimeout(() => {
        if (this.offline) return;
        if (this.sticky) this.banner(this.sticky, "error");
        else $("#banner").hidden = true;
      }, 2500);
    };
    setTimeout(retry, 1000);
  }

  recovered() {
    this.offline = false;
  }
}
