// A hidden layer's header, mixed into NetworkView: its controls (+/- neuron, activation
// and dropout menus), or, on a read-only diagram, the same facts as text.

import { el, setAttr, setProp } from "../dom.js";

const DROPOUTS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];   // the contract: dropout < 0.9

export const LayerHeads = {
  // A hidden layer's header: +/- neuron, its activation and dropout menus.
  layerControls(head, layer, c, { narrow, maxUnits }) {
    const { t, name } = this.tr;
    const k = c - 1;
    // each button off at its limit, its title saying why (layers numbered as node ids)
    const plus = el("button", { class: "round-btn small", "data-control": `add:${k}`, "aria-label": t("addNeuron") }, "+");
    limitButton(plus, layer.units >= maxUnits && t("limitUnits", { layer: c, max: maxUnits }),
      t("addNeuron"), () => this.on.addNeuron(k), this.on.limit);
    const minus = el("button", { class: "round-btn small", "data-control": `remove:${k}`, "aria-label": t("removeNeuron") }, "−");
    limitButton(minus, layer.units <= 1 && t("lastUnit", { layer: c }), t("removeNeuron"),
      () => this.on.removeNeuron(k, layer.units - 1), this.on.limit);
    // the neurons typed (a wide layer is far from its start by the +), the word beside them
    const units = this.tr.tn("unitCount", layer.units);
    const count = el("span", { class: "units", title: units });
    const typed = el("input", { type: "number", class: "units-input", min: "1", max: String(maxUnits), step: "1",
                                value: String(layer.units), "data-control": `units:${k}`,
                                "aria-label": t("unitsOfLayer", { layer: c }) });
    typed.addEventListener("change", () => this.on.setUnits(k, typed));
    // the count as plain text too, shown where a lesson hides the box (playground.css)
    count.append(typed, el("span", { class: "units-fixed" }, String(layer.units)));
    if (!narrow) count.append(this.tr.tn("unitWord", layer.units));
    const act = el("select", { class: "layer-act", "data-control": `act:${k}`, "aria-label": `${t("layerActivation")} ${c}` });
    for (const row of this.catalog.activations) {
      const o = el("option", { value: row.id }, name("activations", row));
      if (row.id === layer.activation) o.selected = true;
      act.append(o);
    }
    act.addEventListener("change", () => this.on.setLayer(k, { activation: act.value }));
    const drop = el("select", { class: "layer-drop", "data-control": `drop:${k}`, "aria-label": `${t("dropout")} ${c}`, title: t("dropoutTitle") });
    const rates = DROPOUTS.includes(layer.dropout || 0) ? DROPOUTS : [...DROPOUTS, layer.dropout].sort();
    for (const r of rates) {
      // a narrow header has room for the rate only; the menu's name and title say what it is
      const o = el("option", { value: String(r) }, narrow ? String(r) : `${t("dropout")} ${r}`);
      if (Math.abs(r - (layer.dropout || 0)) < 1e-9) o.selected = true;
      drop.append(o);
    }
    drop.addEventListener("change", () => this.on.setLayer(k, { dropout: Number(drop.value) }));
    const help = el("button", { class: "help-btn", "data-control": `help:${k}`, "aria-label": `${t("explain")} ${c}` }, "?");
    help.addEventListener("click", () => this.on.explain(act.value));
    const actRow = el("span", { class: "with-help" });
    const marks = this.batchNormMark(layer);
    if (narrow) {
      actRow.append(drop, help);   // the select gets the whole width, "?" beside dropout
      head.append(el("div", { class: "pm" }), count, act, actRow);
      head.firstChild.append(plus, minus, ...marks);
    } else {
      actRow.append(act, help);
      // the mark under the layer's own menus: beside the count it would stand at the next
      // layer's "+" on a tablet
      const dropRow = el("span", { class: "with-help" });
      dropRow.append(drop, ...marks);
      head.append(el("div", { class: "pm" }), actRow, dropRow);
      head.firstChild.append(plus, minus, count);
    }
  },

  // A batch-normalized layer's mark in its header, as a list of none or one (the
  // setting itself is in the layer settings table: the header has no room for a control).
  batchNormMark(layer) {
    if (!layer.batch_norm) return [];
    const { t } = this.tr;
    return [el("span", { class: "bn-badge", title: t("bnBadgeTitle"), "aria-label": t("bnBadgeTitle"),
                        "data-batch-norm": "true" }, t("bnBadge"))];
  },

  // A hidden layer's header as text: its neurons, activation and dropout.
  layerFacts(layer, narrow) {
    const { t, tn, name } = this.tr;
    const row = this.catalog.activations.find((a) => a.id === layer.activation);
    const units = tn("unitCount", layer.units);
    const facts = [el("span", { class: "units", title: units }, narrow ? String(layer.units) : units),
      el("span", { class: "layer-act" }, row ? name("activations", row) : layer.activation)];
    if (layer.dropout) facts.push(el("span", { class: "layer-drop" }, `${t("dropout")} ${layer.dropout}`));
    facts.push(...this.batchNormMark(layer));
    return facts;
  },
};

// A button at its limit stays focusable and tappable but does nothing except say why
// (aria-disabled, its reason in its title and, when pressed, in the page's message slot):
// a disabled button would tell touch and keyboard users nothing.
export function limitButton(button, reason, title, act, sayWhy) {
  setAttr(button, "aria-disabled", String(Boolean(reason)));
  setProp(button, "title", reason || title);
  button.onclick = () => (reason ? sayWhy(reason) : act());
}
