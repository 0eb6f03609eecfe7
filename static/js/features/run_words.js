// Settings as a learner reads them, in the page's language and with the page's own names
// (fieldName, the catalog's names): a value as the settings show it, and what differs
// between two configs, "learning rate 0.03 → 0.3; activation Tanh → ReLU".

import { fieldName, ID_GROUPS } from "../i18n.js";

// The order differences are said in: the data, the network, then its training.
const FIELDS = ["dataset", "classes", "num_samples", "noise", "train_ratio", "data_seed", "features",
  "hidden", "activation", "dropout", "noise_sigma", "head", "threshold", "learning_rate", "batch_size",
  "optimizer", "momentum", "adam_beta1", "adam_beta2", "regularization", "reg_rate", "init", "seed"];

export function settingWords(tr, catalog) {
  const zh = tr.lang === "zh";
  const list = (items) => items.join(zh ? "、" : ", ");
  const named = (group, id) => tr.name(group, catalog[group].find((r) => r.id === id) || { id, name: id });
  const kind = (config) => catalog.datasets.find((d) => d.id === config.dataset)?.kind;
  const perLayer = (config, show) => {
    const values = config.hidden.map(show);
    if (!values.length) return tr.t("runNone");
    return new Set(values).size === 1 ? values[0] : values.join(", ");
  };

  // A field's value in `config` as text ("hidden": the neurons of each hidden layer).
  const value = (field, config) => {
    if (field === "hidden") return config.hidden.length ? config.hidden.map((h) => h.units).join(", ") : tr.t("runNone");
    if (field === "activation") return perLayer(config, (h) => named("activations", h.activation));
    if (field === "dropout" || field === "noise_sigma") return perLayer(config, (h) => String(h[field]));
    if (field === "features") return list(config.features.map((f) => named("features", f)));
    if (ID_GROUPS[field]) return named(ID_GROUPS[field], config[field]);
    if (field === "train_ratio") return `${config[field]}%`;
    return String(config[field]);
  };

  // Within a sentence in English ("learning rate"); Chinese has no case.
  const label = (field) => (zh ? fieldName(field, "zh") : fieldName(field, "en").toLowerCase());

  // A field that means nothing to either config is not a difference: the classes of a
  // two-class dataset, the threshold of a head that has none, the momentum of Adam...
  const usedBy = {
    classes: (c) => kind(c) === "multiclass",
    threshold: (c) => c.head === "sigmoid",
    momentum: (c) => c.optimizer === "momentum",
    adam_beta1: (c) => c.optimizer === "adam",
    adam_beta2: (c) => c.optimizer === "adam",
    noise_sigma: (c) => c.hidden.some((h) => h.activation === "noisy_relu"),
  };
  const matters = (field, a, b) => !usedBy[field] || [a, b].some(usedBy[field]);

  const differences = (a, b) => FIELDS
    .filter((f) => matters(f, a, b) && value(f, a) !== value(f, b))
    .map((field) => ({ field, from: value(field, a), to: value(field, b) }));

  return {
    value,
    // "learning rate 0.03"
    setting: (field, config) => `${label(field)} ${value(field, config)}`,
    differences,
    // what went from `a` to `b`, several joined; "same settings" when nothing did
    describe: (a, b) => {
      const diffs = differences(a, b).map((d) => `${label(d.field)} ${d.from} → ${d.to}`);
      return diffs.length ? diffs.join(zh ? "；" : "; ") : tr.t("runSame");
    },
  };
}
