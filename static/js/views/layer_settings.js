// The per-layer settings under the diagram, folded away (one line) until opened: a table,
// a row per hidden layer and a column per setting of LAYER_SETTINGS, and a line under it
// saying what each shown column means. A setting the layer's header does not have
// (`opens`) unfolds it when it first applies, so that picking Noisy ReLU shows its sigma.
// It draws the config and reports what was typed or ticked; the controller
// (features/knobs.js) checks it and sends it.

import { el, setProp } from "../dom.js";
import { short } from "../numbers.js";

// A setting of one hidden layer (a field of the API's HiddenLayerConfig): its string key
// (column heading and note), its input kind, its range from the catalog's limits (below:
// the top is excluded), and the layers it means something for. A column is shown while
// at least one layer has a use for it (and a lesson does not hide it); the other layers'
// cells say "—".
export const LAYER_SETTINGS = [
  { key: "dropout", label: "dropout", note: "dropoutNote", kind: "number",
    range: (limits) => [0, limits.max_dropout], below: (limits) => limits.dropout_exclusive,
    applies: () => true },
  { key: "noise_sigma", label: "noiseSigma", note: "noiseSigmaNote", kind: "number",
    range: (limits) => limits.noise_sigma, below: () => false,
    applies: (layer) => layer.activation === "noisy_relu", opens: true },
  { key: "batch_norm", label: "batchNorm", note: "batchNormNote", kind: "checkbox",
    applies: () => true },
];

// How each kind of input is made, shown and read (the value reported: text or a boolean).
const KINDS = {
  number: {
    make: () => el("input", { type: "text", inputmode: "decimal", autocomplete: "off", size: "5", class: "typed" }),
    show: (input, value) => setProp(input, "value", short(value)),
    read: (input) => input.value,
  },
  checkbox: {
    make: () => el("input", { type: "checkbox" }),
    show: (input, value) => setProp(input, "checked", Boolean(value)),
    read: (input) => input.checked,
  },
};

export class LayerSettingsView {
  constructor({ box, summary, table, notes }, { catalog, onChange }) {
    this.box = box;            // the <details> that holds it all
    this.summary = summary;
    this.table = table;
    this.notes = notes;
    this.columns = [];         // the keys of the columns shown
    this.catalog = catalog;
    this.onChange = onChange;   // (layer index k, setting, value read) when one is changed
    this.built = "";
  }

  setTranslator(tr) {
    this.tr = tr;
    this.built = "";
  }

  // omit: the keys of settings not to show (those a lesson hides)
  render(config, { omit = new Set() } = {}) {
    const hidden = config.hidden;
    const columns = LAYER_SETTINGS.filter((s) => !omit.has(s.key) && hidden.some((h) => s.applies(h)));
    const key = JSON.stringify([hidden.map((h) => [h.activation, columns.map((s) => s.applies(h))]),
      columns.map((s) => s.key), this.tr.lang]);
    if (key !== this.built) this.build(hidden, columns, key);
    for (const { input, setting, k } of this.inputs) {
      if (document.activeElement !== input) KINDS[setting.kind].show(input, hidden[k][setting.key]);
    }
  }

  build(hidden, columns, key) {
    const { t, name } = this.tr;
    this.built = key;
    this.inputs = [];
    const head = holding("tr", [el("th", { scope: "col" }, t("layerColumn")),
      ...columns.map((s) => el("th", { scope: "col" }, t(s.label)))]);
    const rows = hidden.map((layer, k) => {
      const act = this.catalog.activations.find((a) => a.id === layer.activation);
      const cells = columns.map((setting) => {
        if (!setting.applies(layer)) return el("td", { class: "na" }, t("notNoisy"));
        const kind = KINDS[setting.kind];
        const input = kind.make();
        input.dataset.control = `layer-${setting.key}:${k}`;
        input.setAttribute("aria-label", t("layerSettingLabel", { name: t(setting.label), layer: k + 1 }));
        input.title = t(setting.note);
        // a text field's change comes with Enter or on leaving it (Chromium, Firefox)
        input.addEventListener("change", () => this.onChange(k, setting, kind.read(input)));
        this.inputs.push({ input, setting, k });
        return holding("td", [input]);
      });
      const layerName = `${k + 1} · ${act ? name("activations", act) : layer.activation}`;
      return holding("tr", [el("th", { scope: "row" }, layerName), ...cells]);
    });
    this.table.replaceChildren(holding("thead", [head]), holding("tbody", rows));
    this.notes.replaceChildren(...columns.map((s) => el("p", {}, t(s.note))));
    this.summary.textContent = t("layerSettingsOf", { list: columns.map((s) => t(s.label)).join(t("listComma")) });
    setProp(this.box, "hidden", columns.length === 0);
    if (columns.some((s) => s.opens && !this.columns.includes(s.key))) this.box.open = true;
    this.columns = columns.map((s) => s.key);
  }
}

// A new element holding these children.
function holding(tag, children, attrs = {}) {
  const e = el(tag, attrs);
  e.append(...children);
  return e;
}
