// The loss chart: training (grey) and test (black) loss over the run, and for classifiers
// the test accuracy (dashed, on its own 0..1 scale). The server keeps the
// history bounded, so a redraw costs the same after 20,000 epochs as after 20.

export class LossChart {
  constructor(canvas) {
    this.canvas = canvas;
    this.drawn = null;
  }

  draw(history) {
    const last = history[history.length - 1];
    const key = `${history.length}:${last?.step}:${last?.train_loss}`;
    if (key === this.drawn) return;
    this.drawn = key;
    const ctx = this.canvas.getContext("2d");
    const W = this.canvas.width, H = this.canvas.height;
    ctx.clearRect(0, 0, W, H);
    if (history.length < 1) return;
    let max = 0;
    for (const p of history) max = Math.max(max, p.train_loss ?? 0, p.test_loss ?? 0);
    max = max || 1;
    const first = history[0].step, span = Math.max(1, last.step - first);
    const x = (p) => ((p.step - first) / span) * (W - 2) + 1;
    const y = (v) => H - 2 - (v / max) * (H - 6);
    for (const [key2, color] of [["train_loss", "#999"], ["test_loss", "#111"]]) {
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let started = false;
      for (const p of history) {
        const v = p[key2];
        if (v === null || v === undefined) continue;
        if (!started) { ctx.moveTo(x(p), y(v)); started = true; } else ctx.lineTo(x(p), y(v));
      }
      ctx.stroke();
    }
    if (history.some((p) => p.test_accuracy != null)) {
      ctx.strokeStyle = "rgba(8, 119, 189, 0.8)";
      ctx.setLineDash([4, 3]);
      ctx.lineWidth = 1;
      ctx.beginPath();
      let started = false;
      for (const p of history) {
        if (p.test_accuracy == null) continue;
        const py = H - 2 - p.test_accuracy * (H - 6);
        if (!started) { ctx.moveTo(x(p), py); started = true; } else ctx.lineTo(x(p), py);
      }
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }
}
