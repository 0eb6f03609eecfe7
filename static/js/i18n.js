// Languages: the string tables (strings/en.js, strings/zh.js), the translator, and the
// wording of the server's refusals in the reader's language (strings/refusals.js, keyed
// by the refusal's stable `code`, filled from its `params`).

import { EN } from "./strings/en.js";
import { ZH } from "./strings/zh.js";
import { FIELD_NAMES, REFUSALS } from "./strings/refusals.js";

export const STRINGS = { en: EN, zh: ZH };
export const LANGUAGES = ["en", "zh"];

export function pickLanguage(search, navigatorLanguage) {
  const asked = new URLSearchParams(search).get("lang");
  if (LANGUAGES.includes(asked)) return asked;
  return (navigatorLanguage || "").toLowerCase().startsWith("zh") ? "zh" : "en";
}

const fill = (text, values) =>
  text.replace(/\{(\w+)\}/g, (_, k) => (values[k] === undefined || values[k] === null ? "–" : String(values[k])));

// Which catalog group names the ids of a config field (for a refusal's `allowed` ids).
export const ID_GROUPS = { dataset: "datasets", head: "heads", activation: "activations",
  optimizer: "optimizers", regularization: "regularizers", init: "initializers", features: "features" };

// The translator for one language: t("play"), tn("hiddenLayerCount", 3) for counts,
// name(kind, row) for catalog rows, idName(group, id) for an id ("relu"), refusal(error)
// for a server refusal. With the catalog, ids in a refusal (allowed ones, a head, a
// dataset) read as their names.
export function translator(lang, catalog = null) {
  const table = STRINGS[lang];
  const t = (key, values = {}) => {
    const text = table[key] ?? EN[key] ?? key;
    return typeof text === "string" ? fill(text, values) : text;
  };
  const tn = (key, n, values = {}) => t(`${key}_${n === 1 ? "one" : "other"}`, { n, ...values });
  const name = (group, row) => table[group]?.[row.id] ?? row.name;
  const idName = (group, id) => {
    // own data in a list of allowed datasets ("custom:<id from POST /api/datasets>")
    if (group === "datasets" && String(id).startsWith("custom:<")) return t("ownDataOption");
    const row = catalog?.[group]?.find((r) => r.id === id);
    return row ? name(group, row) : table[group]?.[id] ?? id;
  };
  // A refusal in this language when its code is known; the server's English otherwise.
  const refusal = ({ code, params = {}, message }) => {
    const variant = params.max_exclusive ? `${code}_below` : params.min_exclusive ? `${code}_above` : null;
    const text = REFUSALS[lang]?.[variant] ?? REFUSALS[lang]?.[code];
    return text ? fill(text, wordedParams(params, lang, idName)) : message;
  };
  return { lang, t, tn, name, idName, refusal };
}

// Lists in params (allowed ids) read as "a, b, c" in English and "a、b、c" in Chinese, ids
// as their names; `field` is a config path ("learning_rate", "hidden.0.units") worded as
// the page labels it.
function wordedParams(params, lang, idName) {
  const path = String(params.field ?? "").split(".").filter((p) => !/^\d+$/.test(p));
  const group = ID_GROUPS[path[path.length - 1]];
  const named = (id) => (group ? idName(group, id) : id);
  const out = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === "field") out[k] = fieldName(String(v), lang);
    else if (Array.isArray(v)) out[k] = v.map((x) => (k === "allowed" ? named(x) : x)).join(lang === "zh" ? "、" : ", ");
    else if (k === "value" && group) out[k] = named(v);
    else if (k === "head") out[k] = idName("heads", v);
    else if (k === "dataset") out[k] = idName("datasets", v);
    else if (k === "activation") out[k] = idName("activations", v);
    else out[k] = v;
  }
  return out;
}

export function fieldName(path, lang) {
  const names = FIELD_NAMES[lang] || FIELD_NAMES.en;
  const parts = path.split(".");
  const words = parts.filter((p) => !/^\d+$/.test(p));   // "features.1" is Features
  const last = names[words[words.length - 1]] ?? words[words.length - 1];
  const k = parts[0] === "hidden" && parts.length > 2 ? Number(parts[1]) : NaN;
  if (!Number.isInteger(k)) return last;
  return lang === "zh" ? `第${k + 1}层：${last}` : `Layer ${k + 1}: ${last}`;
}

// Fill every element marked data-i18n (text), data-i18n-title, data-i18n-placeholder and
// data-i18n-label.
export function applyStrings(root, t) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  }
}
