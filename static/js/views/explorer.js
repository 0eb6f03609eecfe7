// The activation explorer: for every activation in the catalog, its formula, a plot of the
// function and its derivative on [-5, 5] (numbers from the server), and when to use it.

import { api } from "../api.js";

export class ActivationExplorer {
  constructor(dialog, catalog) {
    this.dialog = dialog;
    this.catalog = catalog;
    this.curves = new Map();
    this.list = dialog.querySelector(".explorer-list");
    this.canvas = dialog.querySelector("canvas");
    this.formula = dialog.querySelector(".explorer-formula");
    this.usage = dialog.querySelector(".explorer-usage");
    this.heads = dialog.querySelector(".explorer-heads");
    dialog.querySelector(".explorer-close").addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (ev) => { if (ev.target === dialog) dialog.close(); });
  }

  setTranslator(tr) {
    this.tr = tr;
    this.list.replaceChildren(...this.catalog.activations.map((row) => {
      const b = document.createElement("button");
      b.className = "text-btn";
      b.dataset.activation = row.id;
      b.textContent = tr.name("activations", row);
      b.addEventListener("click", () => this.show(row.id));
      return b;
    }));
    this.heads.replaceChildren(...this.catalog.heads.map((h) => {
      const li = document.createElement("li");
      li.textContent = tr.t("headLine", { name: tr.name("heads", h), use: tr.t("headUse")[h.id] });
      return li;
    }));
    if (this.current) this.show(this.current);
  }

  async open(activationId) {
    if (!this.dialog.open) this.dialog.showModal();
    await this.show(activationId || "relu");
  }

  async show(id) {
    this.current = id;
    for (const b of this.list.children) b.setAttribute("aria-pressed", String(b.dataset.activation === id));
    if (!this.curves.has(id)) this.curves.set(id, api.curve(id));
    let curve;
    try {
      curve = await this.curves.get(id);
    } catch {
      this.curves.delete(id);          // try again next time; the list still works
      return;
    }
    if (this.current !== id) return;   // another one was chosen meanwhile
    this.formula.textContent = curve.formula;
    this.usage.textContent = this.tr.t("activationUse")[id];
    this.draw(curve);
  }

  draw(curve) {
    const ctx = this.canvas.getContext("2d");
    const W = this.canvas.width, H = this.canvas.height;
    ctx.clearRect(0, 0, W, H);
    const lo = Math.min(-1.2, ...curve.f, ...curve.df), hi = Math.max(1.2, ...curve.f, ...curve.df);
    const x = (z) => ((z + 5) / 10) * (W - 20) + 10;
    const y = (v) => H - 10 - ((v - lo) / (hi - lo)) * (H - 20);
    ctx.strokeStyle = "#bbb";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(x(-5), y(0)); ctx.lineTo(x(5), y(0));
    ctx.moveTo(x(0), y(lo)); ctx.lineTo(x(0), y(hi));
    ctx.stroke();
    const line = (values, color, dash) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.setLineDash(dash);
      ctx.beginPath();
      curve.z.forEach((z, i) => (i ? ctx.lineTo(x(z), y(values[i])) : ctx.moveTo(x(z), y(values[i]))));
      ctx.stroke();
      ctx.setLineDash([]);
    };
    line(curve.f, "#f59322", []);
    line(curve.df, "#0877bd", [5, 4]);
    ctx.fillStyle = "#555";
    ctx.font = "11px sans-serif";
    ctx.fillText(`f(z)`, 14, 14);
    ctx.fillStyle = "#0877bd";
    ctx.fillText(`f'(z)`, 50, 14);
    ctx.fillStyle = "#777";
    for (const v of [-5, 0, 5]) ctx.fillText(String(v), x(v) - 4, H - 1);
  }
}
