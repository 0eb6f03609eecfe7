// The A/B chooser in the compare panel: the one setting B changes, and its new value. Its
// menus are the settings' own (the catalog's ids and names, settings.js's numbers), each
// with the current value marked "now"; it answers the change that makes B from A, or a
// PageMessage saying why it cannot.

import { $, el } from "../dom.js";
import { fieldName } from "../i18n.js";
import { parseDecimal } from "../numbers.js";
import { PageMessage } from "./messages.js";
import { BATCH_SIZES, LEARNING_RATES, REG_RATES } from "./settings.js";

// The settings an A/B may change, in the order offered ("regularization" is its kind and
// rate together: a kind alone at rate 0 would change nothing).
const FIELDS = ["learning_rate", "activation", "batch_size", "hidden", "optimizer", "regularization",
  "reg_rate", "features", "noise", "init"];
const NOISES = [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50];

export class AbChooser {
  constructor(state, { tr }) {
    this.state = state;
    this.tr = tr;
  }

  setTranslator(tr) {
    this.tr = tr;
    if (this.state.config) this.fill();
  }

  bind() {
    $("#ab-field").addEventListener("change", () => this.buildValue());
  }

  // The menu of settings (the chosen one kept), then its value control, from the config now.
  fill() {
    const select = $("#ab-field");
    const keep = select.value || FIELDS[0];
    select.replaceChildren(...FIELDS.map((f) => new Option(fieldName(f, this.tr.lang), f)));
    select.value = keep;
    for (const option of select.options) option.disabled = option.value === "activation" && !this.state.config.hidden.length;
    if (select.selectedOptions[0]?.disabled) select.value = FIELDS[0];
    this.buildValue();
  }

  buildValue() {
    const field = $("#ab-field").value;
    const c = this.state.config;
    const { name, t } = this.tr;
    const catalog = this.state.catalog;
    const box = $("#ab-value");
    const menu = (id, label, rows, now) => {
      const select = el("select", { id, "data-testid": id });
      if (!rows.some((r) => String(r.id) === String(now))) rows = [...rows, { id: now, name: String(now) }];
      for (const r of rows) {
        const here = String(r.id) === String(now);
        select.append(new Option(here ? t("abNow", { value: r.name }) : r.name, String(r.id)));
      }
      select.value = String(now);
      const wrap = el("label", { class: "field" });
      wrap.append(el("span", {}, label), select);
      return wrap;
    };
    const numbers = (values) => values.map((v) => ({ id: v, name: String(v) }));
    const named = (group) => catalog[group].map((r) => ({ id: r.id, name: name(group, r) }));
    const label = t("abValue");
    let parts;
    if (field === "hidden") {
      const input = el("input", { id: "ab-hidden", type: "text", "data-testid": "ab-hidden", autocomplete: "off",
                                  placeholder: t("abHiddenPlaceholder") });
      input.value = c.hidden.map((h) => h.units).join(", ");
      const wrap = el("label", { class: "field" });
      wrap.append(el("span", {}, t("abHiddenLabel")), input);
      parts = [wrap];
    } else if (field === "features") {
      const set = el("fieldset", { class: "ab-features" });
      set.append(el("legend", {}, label));
      for (const f of catalog.features) {
        const box = el("input", { type: "checkbox", value: f.id });
        box.checked = c.features.includes(f.id);
        const item = el("label");
        item.append(box, ` ${name("features", f)}`);
        set.append(item);
      }
      parts = [set];
    } else if (field === "regularization") {
      parts = [menu("ab-choice", label, named("regularizers"), c.regularization),
               menu("ab-rate", fieldName("reg_rate", this.tr.lang), numbers(REG_RATES.filter((r) => r > 0)),
                    c.reg_rate > 0 ? c.reg_rate : 0.01)];
    } else {
      const activation = c.hidden[0]?.activation;
      const rows = { learning_rate: numbers(LEARNING_RATES), batch_size: numbers(BATCH_SIZES),
                     reg_rate: numbers(REG_RATES), noise: numbers(NOISES), activation: named("activations"),
                     optimizer: named("optimizers"), init: named("initializers") }[field];
      parts = [menu("ab-choice", label, rows, field === "activation" ? activation : c[field])];
    }
    box.replaceChildren(...parts);
  }

  // {field, patch}: what B changes from A (the config now). Throws a PageMessage when B
  // would not differ, or the typed layers cannot be read.
  read() {
    const field = $("#ab-field").value;
    const c = this.state.config;
    const number = (sel) => Number($(sel).value);
    let patch;
    if (field === "hidden") patch = { hidden: this.layers(c) };
    else if (field === "features") {
      const on = [...document.querySelectorAll("#ab-value input:checked")].map((b) => b.value);
      if (!on.length) throw new PageMessage("abNoFeatures");
      patch = { features: on };
    } else if (field === "activation") {
      patch = { hidden: c.hidden.map((h) => ({ ...h, activation: $("#ab-choice").value })) };
    } else if (field === "regularization") {
      const kind = $("#ab-choice").value;
      patch = kind === "none" ? { regularization: kind } : { regularization: kind, reg_rate: number("#ab-rate") };
    } else {
      const v = $("#ab-choice").value;
      patch = { [field]: ["learning_rate", "batch_size", "reg_rate", "noise"].includes(field) ? Number(v) : v };
    }
    if (Object.entries(patch).every(([k, v]) => JSON.stringify(v) === JSON.stringify(c[k]))) {
      throw new PageMessage("abSame");
    }
    return { field, patch };
  }

  // "8, 8, 2" (commas, spaces or Chinese commas) as hidden layers; a new layer takes the
  // last layer's activation and no dropout.
  layers(c) {
    const limits = this.state.catalog.limits;
    const text = $("#ab-hidden").value.trim();
    const units = text ? text.split(/[\s,，、]+/).filter(Boolean).map(parseDecimal) : [];
    const bad = units.length > limits.max_hidden_layers
      || units.some((u) => !Number.isInteger(u) || u < limits.min_units || u > limits.max_units);
    if (bad) throw new PageMessage("abBadHidden", { max: limits.max_units, layers: limits.max_hidden_layers });
    const last = c.hidden[c.hidden.length - 1] || { activation: "tanh" };
    return units.map((n, k) => ({ ...(c.hidden[k] || { activation: last.activation, dropout: 0 }), units: n }));
  }
}
