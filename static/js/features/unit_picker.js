// The unit picker, shown while a layer is drawn compactly (more than 16 units): a layer,
// one of its neurons, and a weight into it (or its bias). It reaches what a wide layer's
// cells are too small for: the step-through jumps to the neuron, and the weight or bias
// is typed and sent as the diagram's editor sends it (PATCH …/weight, …/bias), and its
// batch norm values opened in their editor. The picked neuron is expanded in the diagram.
// A band of the diagram clicked opens it at the band's pair of groups (its first weight),
// named while the pick stays within them.

import { api } from "../api.js";
import { $, setProp, setText } from "../dom.js";
import { short } from "../numbers.js";
import { PageMessage } from "./messages.js";

const BIAS = "bias";   // the "from" menu's entry for the neuron's bias

export class UnitPicker {
  constructor(state, { tr, editing, stepper }) {
    this.state = state;
    this.tr = tr;
    this.editing = editing;
    this.stepper = stepper;
    this.shape = "";      // the menus were made for these layer sizes and language
    this.shownValue = null;
  }

  setTranslator(tr) {
    this.tr = tr;
    this.shape = "";
  }

  get view() {
    return this.editing.view;
  }

  bind() {
    $("#pick-layer").addEventListener("change", () => { this.shape = ""; this.chosen(); });
    $("#pick-unit").addEventListener("change", () => this.chosen());
    $("#pick-from").addEventListener("change", () => this.chosen());
    $("#pick-step").addEventListener("click", () => this.stepTo());
    $("#pick-set").addEventListener("click", () => this.apply());
    // the picked neuron's batch norm values, where its layer has batch norm (norm_editor.js)
    $("#pick-norm").addEventListener("click", () => this.editing.normEditor?.open(this.picked().id, $("#pick-norm")));
    const value = $("#pick-value");
    value.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); this.apply(); } });
    value.addEventListener("input", () => { value.removeAttribute("aria-invalid"); this.typing = true; });
  }

  // The picked layer, neuron and weight ("L:J" and the from index, or BIAS).
  picked() {
    const snap = this.state.snapshot;
    const l = Number($("#pick-layer").value) || 1;
    const units = snap.layers[l]?.units || 1;
    const j = Math.max(0, Math.min(units - 1, Math.round(Number($("#pick-unit").value) || 0)));
    return { l, j, id: `${l}:${j}`, from: $("#pick-from").value || BIAS };
  }

  // The keyboard's W on a compact layer's cell: pick it and go to its weights (the one
  // from unit `from` of the layer before, else the menu's choice; a band's, named).
  pick(id, { from = null, band = null } = {}) {
    const [l, j] = id.split(":").map(Number);
    $("#pick-layer").value = String(l);
    this.shape = "";
    this.render(this.state.snapshot);
    $("#pick-unit").value = String(j);
    if (from !== null) $("#pick-from").value = String(from);
    this.band = band;
    this.chosen();
    $("#pick-from").focus();
  }

  // A band clicked (or Enter on it): its pair of groups, layer l's units a → layer l + 1's b.
  pickBand(band) {
    this.pick(`${band.l + 1}:${band.b[0]}`, { from: band.a[0], band });
  }

  chosen() {
    this.typing = false;
    this.render(this.state.snapshot);
    this.view.expand(this.picked().id, "pick");
  }

  render(snap) {
    const box = $("#unit-picker");
    const wide = this.view.strips.size > 0;
    box.hidden = !wide;
    if (!wide) { this.view.expandedBy && (this.view.expandedBy.pick = null); return; }
    const { t, tn } = this.tr;
    const sizes = snap.layers.map((layer) => layer.units);
    const last = sizes.length - 1;
    const layerMenu = $("#pick-layer");
    const key = JSON.stringify([sizes, this.tr.lang, layerMenu.value]);
    if (key !== this.shape) {
      this.shape = key;
      const was = layerMenu.value || String([...this.view.strips.keys()][0]);
      layerMenu.replaceChildren(...sizes.slice(1).map((n, k) => new Option(
        k + 1 === last ? `${last} · ${t("output")}` : `${k + 1} · ${tn("unitCount", n)}`, String(k + 1))));
      layerMenu.value = Number(was) <= last ? was : "1";
      const l = Number(layerMenu.value);
      const unit = $("#pick-unit");
      unit.max = String(sizes[l] - 1);
      if (Number(unit.value) > sizes[l] - 1) unit.value = String(sizes[l] - 1);
      const from = $("#pick-from");
      const wasFrom = from.value;
      from.replaceChildren(new Option(t("bias"), BIAS),
        ...Array.from({ length: sizes[l - 1] }, (_, i) => new Option(`${t("weight")} ${l - 1}:${i} →`, String(i))));
      from.value = [...from.options].some((o) => o.value === wasFrom) ? wasFrom : BIAS;
    }
    const { l, j, from } = this.picked();
    const band = this.band;
    const inBand = band && l === band.l + 1 && band.b[0] <= j && j < band.b[1] && from !== BIAS
      && band.a[0] <= Number(from) && Number(from) < band.a[1];
    if (!inBand) this.band = null;   // the pick left the band
    setText($("#pick-band"), inBand ? t("pickBand", { from: this.view.groupName(band.l, band.a),
                                                      to: this.view.groupName(band.l + 1, band.b) }) : "");
    setProp($("#pick-norm"), "hidden", !snap.layers[l]?.batch_norm || l === last);
    setProp($("#pick-norm"), "title", t("normButton", { node: `${l}:${j}` }));
    const value = from === BIAS ? snap.biases[l - 1][j] : snap.weights[l - 1][Number(from)][j];
    setText($("#pick-what"), from === BIAS ? t("editWhatBias", { node: `${l}:${j}` })
      : t("editWhatWeight", { from: `${l - 1}:${from}`, to: `${l}:${j}` }));
    // what the server says, unless the learner is typing a new value
    if (!this.typing && value !== this.shownValue) {
      $("#pick-value").value = short(value);
      this.shownValue = value;
    }
  }

  stepTo() {
    this.stepper.goTo(this.picked().id);
  }

  async apply() {
    if (this.editing.locked?.()) {
      this.state.messages.error(new PageMessage("lessonWeightsLocked"), "pick");
      return;
    }
    const input = $("#pick-value");
    const value = this.editing.typedValue(input, "pick");
    if (value === null) return;
    const { l, j, from } = this.picked();
    const id = this.state.sessionId;
    const ok = await this.state.change(async () => this.state.show(await (from === BIAS
      ? api.setBias(id, l - 1, j, value) : api.setWeight(id, l - 1, Number(from), j, value))), "pick");
    if (ok) {
      this.typing = false;
      this.shownValue = null;
      this.render(this.state.snapshot);
      this.state.messages.note("pickSet");
    } else {
      input.setAttribute("aria-invalid", "true");
    }
  }
}
