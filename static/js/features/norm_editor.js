// The batch norm editor: one unit's γ and β (learned) and running mean and variance
// (statistics that training moves), read from GET …/params and typed in, each changed one
// sent as PATCH …/batch_norm, as a PReLU slope is sent (editing.js). Opened from a
// batch-normalized node's "BN" button, the N key on its node (a wide layer's cell too), or the
// unit picker.

import { api } from "../api.js";
import { $ } from "../dom.js";
import { parseDecimal, short } from "../numbers.js";
import { PageMessage } from "./messages.js";

const FIELDS = ["gamma", "beta", "mean", "var"];   // PATCH …/batch_norm's `field`, bn_<field> in params

export class NormEditor {
  // typedValue(input, slot): a typed number in the weights' range, or null, said in slot
  constructor(state, { tr, typedValue }) {
    this.state = state;
    this.tr = tr;
    this.typedValue = typedValue;
    this.unit = null;        // {l, j, id} of the unit shown, while open
    this.anchor = null;      // what opened it (a node's button, a node, the picker's button)
    this.opened = 0;         // counts the openings: a late GET …/params fills only its own
  }

  setTranslator(tr) {
    this.tr = tr;
    if (this.unit) this.title();
  }

  get box() {
    return $("#norm-editor");
  }

  input(field) {
    return $(`#norm-${field}`);
  }

  bind() {
    const box = this.box;
    box.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") { ev.preventDefault(); this.close(); }
      if (ev.key === "Enter" && ev.target.tagName === "INPUT") { ev.preventDefault(); this.apply(); }
    });
    for (const field of FIELDS) {
      this.input(field).addEventListener("input", () => this.input(field).removeAttribute("aria-invalid"));
    }
    $("#norm-set").addEventListener("click", () => this.apply());
    $("#norm-close").addEventListener("click", () => this.close());
    // a click or tab away closes it (not while a request it made is under way)
    box.addEventListener("focusout", () => setTimeout(() => {
      if (!this.busy && !box.contains(document.activeElement)) this.close({ refocus: false });
    }, 150));
  }

  // Unit `id` ("L:J") of a batch-normalized hidden layer; anything else opens nothing.
  open(id, anchor) {
    const snap = this.state.snapshot;
    const [l, j] = id.split(":").map(Number);
    if (!snap?.layers[l]?.batch_norm || l === snap.layers.length - 1) return;
    this.unit = { l, j, id };
    this.anchor = anchor;
    this.state.messages.clear("norm");
    this.title();
    const locked = Boolean(this.locked?.());
    for (const field of FIELDS) {
      const input = this.input(field);
      Object.assign(input, { value: "", disabled: true, readOnly: locked });
      input.dataset.shown = "";
      input.removeAttribute("aria-invalid");
    }
    $("#norm-set").disabled = true;
    this.place(anchor);
    $("#tooltip").hidden = true;   // the node's numbers: they are in the editor now
    this.box.hidden = false;
    $("#norm-close").focus();
    this.box.scrollIntoView({ block: "nearest" });   // placed under a button low on the page
    this.load(this.opened += 1, locked);
  }

  title() {
    $("#norm-editor-title").textContent = this.tr.t("normEditorTitle", { node: this.unit.id });
  }

  // Right of what opened it, or under it where the page is too narrow for that; in the
  // window's height when it fits there.
  place(anchor) {
    const box = this.box;
    const rect = anchor.getBoundingClientRect();
    box.style.visibility = "hidden";
    box.hidden = false;
    const [width, height] = [box.offsetWidth, box.offsetHeight];
    box.hidden = true;
    box.style.visibility = "";
    const room = document.documentElement.clientWidth;
    let left = rect.right + 8, top = rect.top;
    if (left + width > room - 4) {
      left = Math.max(4, Math.min(rect.left, room - width - 4));
      top = rect.bottom + 6;
    } else {
      top = Math.max(4, Math.min(top, window.innerHeight - height - 4));
    }
    box.style.left = `${left + window.scrollX}px`;
    box.style.top = `${top + window.scrollY}px`;
  }

  // The unit's four values now (the play loop waits while they are read: the session
  // answers one request at a time); a lesson that locks the weights shows them only.
  async load(opening, locked) {
    const { l, j } = this.unit;
    let params;
    try {
      params = await this.state.queue(() => api.params(this.state.sessionId));
    } catch (err) {
      if (opening === this.opened) this.state.messages.error(err, "norm");
      return;
    }
    if (opening !== this.opened || !this.unit) return;
    for (const field of FIELDS) {
      const value = params[`bn_${field}`]?.[l - 1]?.[j];
      const input = this.input(field);
      input.value = input.dataset.shown = Number.isFinite(value) ? short(value) : "";
      input.disabled = false;
    }
    if (locked) {
      this.state.messages.error(new PageMessage("lessonWeightsLocked"), "norm");
      return;
    }
    $("#norm-set").disabled = false;
    this.input("gamma").focus();
    this.input("gamma").select();
  }

  // The fields typed anew: [field, value] each, or null when one is not a number in range
  // (said beside it, as the weight editor says it; nothing is sent).
  typed() {
    const changes = [];
    let first = null;
    for (const field of FIELDS) {
      const input = this.input(field);
      if (input.value.trim() === input.dataset.shown) continue;
      const slot = `norm-${field}`;
      let value = null;
      if (field === "var" && parseDecimal(input.value) < 0) {   // the server's too_small
        input.setAttribute("aria-invalid", "true");
        this.state.messages.error(new PageMessage("normVarNegative"), slot);
      } else {
        value = this.typedValue(input, slot);
      }
      if (value === null) first ??= input;
      else changes.push([field, value]);
    }
    if (first) { first.focus(); return null; }
    return changes;
  }

  // Enter or Set: each changed value in turn; a refusal is said beside its field, and the
  // ones after it wait. All taken: the editor closes and the diagram shows the new numbers.
  async apply() {
    if (!this.unit || this.locked?.() || $("#norm-set").disabled) return;
    this.state.messages.clear("norm");
    const changes = this.typed();
    if (changes === null) return;
    const { l, j } = this.unit;
    this.busy = true;
    try {
      for (const [field, value] of changes) {
        const ok = await this.state.change(async () => this.state.show(
          await api.setNorm(this.state.sessionId, l - 1, j, field, value)), `norm-${field}`);
        const input = this.input(field);
        if (!ok) { input.setAttribute("aria-invalid", "true"); input.focus(); return; }
        input.dataset.shown = input.value.trim();   // taken: not sent again
      }
    } finally {
      this.busy = false;
    }
    this.close();
  }

  // The editor closes when its unit is gone (a layer removed, batch norm turned off).
  render(snap) {
    if (!this.unit) return;
    const { l, j } = this.unit;
    if (!snap.layers[l]?.batch_norm || j >= snap.layers[l].units || l === snap.layers.length - 1) {
      this.close({ refocus: false });
    }
  }

  close({ refocus = true } = {}) {
    if (this.box.hidden) return;
    this.box.hidden = true;
    this.unit = null;
    this.opened += 1;
    this.state.messages.clear("norm");   // and the fields' (every slot with a message)
    // back to the node (its tooltip then shows the new numbers), or what opened it
    const back = this.anchor?.closest("[data-node]") || this.anchor;
    if (refocus && back?.isConnected) back.focus();
  }
}
