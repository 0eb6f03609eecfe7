// The whole configuration lives in the address, so a copied link rebuilds the same
// playground (same data, same structure, same starting weights from the same seeds).
// Own data is named by its id (dataset=custom:ID, kept on the server), so a link to it
// brings the same points.

import { PageMessage } from "./messages.js";

// Own data's name in a config: "custom:" and the id the server made from the points (its
// tag the kind: b binary, m3..m6 that many classes, r regression).
export const OWN_PREFIX = "custom:";
const OWN_DATASET = /^custom:(b|m[3-6]|r)-[a-z2-7]{16}$/;
export const isOwnDataset = (dataset) => OWN_DATASET.test(String(dataset ?? ""));

const NUMBERS = ["classes", "num_samples", "noise", "train_ratio", "data_seed", "threshold",
  "learning_rate", "batch_size", "momentum", "adam_beta1", "adam_beta2", "reg_rate", "seed"];
const IDS = ["dataset", "head", "optimizer", "regularization", "init"];

// A hidden layer in the link: its fields in this order, joined by ":" ("4:tanh:0"; a layer
// of Noisy ReLU with another sigma "4:noisy_relu:0.2:0.5"). Optional parts at the end are
// written only when not at their default, and read only when there: older links (three
// parts) read as they always did. A new field of a layer is an optional row at the end.
const LAYER_PARTS = [
  { key: "units", read: Number },
  { key: "activation", read: (v) => v || "tanh" },
  { key: "dropout", read: (v) => Number(v || 0) },
  { key: "noise_sigma", read: Number, optional: true },
];

// A layer's on/off settings follow its parts as words, written only when on and read
// wherever they stand after the units ("4:tanh:0:bn", "2:noisy_relu:0:0.5:bn"): a flag
// never shifts a part's place, so the links before it read as they always did.
const LAYER_FLAGS = [
  { key: "batch_norm", word: "bn" },
];

function layerToText(layer, defaults) {
  let end = LAYER_PARTS.length;
  const atDefault = ({ key }) => layer[key] === undefined || layer[key] === defaults[key];
  while (LAYER_PARTS[end - 1].optional && atDefault(LAYER_PARTS[end - 1])) end--;
  const flags = LAYER_FLAGS.filter(({ key }) => layer[key]).map(({ word }) => word);
  return [...LAYER_PARTS.slice(0, end).map(({ key }) => layer[key]), ...flags].join(":");
}

function textToLayer(text) {
  const [units, ...rest] = text.split(":");
  const words = new Set(LAYER_FLAGS.map(({ word }) => word));
  const values = [units, ...rest.filter((v) => !words.has(v))];
  const layer = {};
  LAYER_PARTS.forEach((part, i) => {
    if (!part.optional || values[i]) layer[part.key] = part.read(values[i]);
  });
  for (const { key, word } of LAYER_FLAGS) if (rest.includes(word)) layer[key] = true;
  return layer;
}

// A hidden layer's defaults, the catalog's (parts of a layer at them stay out of a link).
export const layerDefaults = (catalog) => catalog.defaults.hidden[0] ?? {};

// The address of a config and the page's options (`page`); `defaults`: a hidden layer's.
export function configToQuery(config, page, defaults = {}) {
  const q = new URLSearchParams();
  for (const k of IDS) if (config[k] != null) q.set(k, config[k]);
  for (const k of NUMBERS) if (config[k] != null) q.set(k, String(config[k]));
  q.set("features", config.features.join(","));
  q.set("hidden", config.hidden.map((h) => layerToText(h, defaults)).join(","));
  for (const [k, v] of Object.entries(page)) q.set(k, String(v));
  return q.toString().replaceAll("%3A", ":");   // custom:ID and 4:tanh:0 read as they are
}

// A partial config from the address: only the fields present; the server validates them
// (a bad value in a link gets the server's message, not a broken page). A value that is
// not a number goes to the server as typed, so its refusal names it.
export function queryToConfig(search) {
  const q = new URLSearchParams(search);
  const config = {};
  for (const k of IDS) if (q.has(k)) config[k] = q.get(k);
  for (const k of NUMBERS) {
    if (!q.has(k) || q.get(k) === "") continue;
    const v = Number(q.get(k));
    config[k] = Number.isNaN(v) ? q.get(k) : v;
  }
  if (q.has("features")) config.features = q.get("features").split(",").filter(Boolean);
  if (q.has("hidden")) {
    const spec = q.get("hidden");
    config.hidden = spec === "" ? [] : spec.split(",").map(textToLayer);
  }
  return config;
}

// The speed menu's values (epochs per frame at 60 Hz); a link's speed snaps to the nearest.
export const SPEEDS = [1, 2, 5, 10, 20, 50, 100, 200];

export function pageOptions(search) {
  const q = new URLSearchParams(search);
  const asked = Number(q.get("speed"));
  const speed = Number.isFinite(asked) && asked > 0
    ? SPEEDS.reduce((best, s) => (Math.abs(s - asked) < Math.abs(best - asked) ? s : best)) : 1;
  return {
    speed,
    test: q.get("test") === "1",
    discrete: q.get("discrete") === "1",
    // presenter mode asked for (1) or refused (0); null: as this browser last had it
    present: q.has("present") ? q.get("present") === "1" : null,
    // a teacher's exercise is the lesson "exercise-<id>" (API.md 6.3)
    lesson: q.get("exercise") ? `exercise-${q.get("exercise")}` : q.get("lesson") || null,
    classCode: q.get("class") || null,   // a class to join (features/classroom.js)
    share: q.get("share") || null,       // a shared trained network to open (features/models.js)
  };
}

// Open the session a link describes. A field the server refuses is left out and the rest
// kept (one bad value must not throw the whole link away); returns the refusals of the
// fields left out, for the page to say which.
export async function openFromLink(state, config) {
  const wanted = structuredClone(config);
  const dropped = [];
  // own data is asked for only by an id of its shape; its data gone (404) is left out too
  const own = wanted.dataset;
  if (typeof own === "string" && own.startsWith(OWN_PREFIX) && !isOwnDataset(own)) {
    delete wanted.dataset;
    dropped.push({ field: "dataset", err: new PageMessage("ownLinkMalformed", { id: own.slice(0, 40) }) });
  }
  for (let attempt = 0; attempt < 12; attempt++) {
    try {
      await state.open(wanted);
      return dropped;
    } catch (err) {
      const gone = err?.status === 404 && err.code === "unknown_dataset";
      const path = gone ? "dataset" : err?.params?.field ?? err?.field;
      if (!(err?.status === 422 || gone) || !path || !leaveOut(wanted, String(path))) throw err;
      dropped.push({ field: String(path), err });
    }
  }
  await state.open({});
  return dropped;
}

// Leave out the smallest part of the link that was refused: one layer's dropout
// ("hidden.0.dropout"), one feature ("features.1"), or a whole field. False when there is
// nothing by that path.
function leaveOut(config, path) {
  const [field, index, key] = path.split(".");
  if (!(field in config)) return false;
  const list = config[field];
  const i = Number(index);
  if (Array.isArray(list) && Number.isInteger(i) && i < list.length) {
    if (key && typeof list[i] === "object" && key in list[i]) delete list[i][key];
    else list.splice(i, 1);
    if (field === "features" && !list.length) delete config[field];
    return true;
  }
  delete config[field];
  return true;
}
