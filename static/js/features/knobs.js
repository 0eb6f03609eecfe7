// The settings typed as numbers: any learning rate beside the menu of usual ones, the
// momentum and Adam's betas (shown with their optimizer), and each hidden layer's settings
// (the table under the diagram). A number outside the catalog's range is refused here,
// beside its control, before anything is sent; a refusal of the server shows in the
// same place.

import { $, setProp } from "../dom.js";
import { fieldName } from "../i18n.js";
import { parseDecimal } from "../numbers.js";
import { LayerSettingsView } from "../views/layer_settings.js";
import { PageMessage } from "./messages.js";

// A config field typed as a number: its input, its range in the catalog's limits (below:
// the top itself excluded) and, for one shown only with some settings, its field box and
// when. `other`: the input is an "other value" box beside a menu that shows the value, so
// it is emptied once its number is applied.
const TYPED = [
  { field: "learning_rate", input: "#learning-rate-typed", range: (l) => l.learning_rate, below: false,
    other: true },
  { field: "momentum", input: "#momentum", box: "#momentum-field", range: (l) => l.momentum, below: true,
    shown: (c) => c.optimizer === "momentum" },
  { field: "adam_beta1", input: "#adam-beta1", box: "#adam-beta1-field", range: (l) => l.adam_beta,
    below: true, shown: (c) => c.optimizer === "adam" },
  { field: "adam_beta2", input: "#adam-beta2", box: "#adam-beta2-field", range: (l) => l.adam_beta,
    below: true, shown: (c) => c.optimizer === "adam" },
];

// The number typed, or a PageMessage that names the setting (`name`) and its range.
export function typedNumber(text, [min, max], below, name) {
  const value = parseDecimal(text);
  if (value === null) return new PageMessage("notANumber", { text });
  if (value < min || value > max || (below && value >= max)) {
    return new PageMessage(below ? "typedRangeBelow" : "typedRange", { name, min, max });
  }
  return value;
}

export class TypedSettings {
  constructor(state, { tr, settings }) {
    this.state = state;
    this.tr = tr;
    this.settings = settings;
  }

  get limits() {
    return this.state.catalog.limits;
  }

  setTranslator(tr) {
    this.tr = tr;
    const [min, max] = this.limits.learning_rate;
    $("#learning-rate-typed").title = tr.t("learningRateTypedTitle", { min, max });
  }

  bind() {
    // a text field's change comes with Enter or on leaving it
    for (const knob of TYPED) {
      const input = $(knob.input);
      input.addEventListener("change", () => this.apply(knob));
      // typing again: the box no longer holds the refused number
      input.addEventListener("input", () => input.removeAttribute("aria-invalid"));
    }
  }

  async apply(knob) {
    const input = $(knob.input);
    if (knob.other && !input.value.trim()) return;   // emptied: the menu's value stands
    const value = typedNumber(input.value, knob.range(this.limits), knob.below, fieldName(knob.field, this.tr.lang));
    if (value instanceof PageMessage) {
      input.setAttribute("aria-invalid", "true");
      this.state.messages.error(value, knob.field);
      return;
    }
    input.removeAttribute("aria-invalid");
    const ok = await this.settings.change({ [knob.field]: value }, knob.field);
    if (ok && knob.other) input.value = "";
  }

  // The fields show the session's values (not one being typed) and only with their optimizer;
  // a refused number stays marked (an "other value" box: stays) only while its refusal is
  // shown, so no box goes on showing a value the network does not train with.
  render(config) {
    for (const knob of TYPED) {
      const input = $(knob.input);
      if (knob.box) setProp($(knob.box), "hidden", !knob.shown(config));
      if (!knob.other && document.activeElement !== input) setProp(input, "value", String(config[knob.field]));
      if (input.hasAttribute("aria-invalid") && !$(`[data-error-for="${knob.field}"]`).textContent) {
        if (knob.other) input.value = "";
        input.removeAttribute("aria-invalid");
      }
    }
  }
}

// Each hidden layer's settings: the table (views/layer_settings.js) and what a change sends.
export class LayerSettings {
  constructor(state, { setLayer }) {
    this.state = state;
    this.setLayer = setLayer;   // (k, changes, field): the change of hidden layer k (editing.js)
    this.view = new LayerSettingsView({ box: $("#layer-settings"), summary: $("#layer-settings-summary"),
      table: $("#layer-settings-table"), notes: $("#layer-settings-notes") },
      { catalog: state.catalog, onChange: (k, setting, read) => this.apply(k, setting, read) });
  }

  setTranslator(tr) {
    this.tr = tr;
    this.view.setTranslator(tr);
  }

  render(config, options) {
    this.view.render(config, options);
  }

  apply(k, setting, read) {
    const limits = this.state.catalog.limits;
    const t = this.tr.t;
    const value = setting.kind === "number"
      ? typedNumber(read, setting.range(limits), setting.below(limits), t("layerSettingLabel", { name: t(setting.label), layer: k + 1 }))
      : read;
    if (value instanceof PageMessage) {
      this.state.messages.error(value, "layer_settings");
      return;
    }
    this.setLayer(k, { [setting.key]: value }, "layer_settings");
  }
}
