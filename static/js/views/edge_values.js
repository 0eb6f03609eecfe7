// Each edge's data-value: its weight as the page shows it, for whoever reads the page (the
// contract, the tests). A big network's ~1,900 attribute writes cost ~2 ms, a fifth of
// a diagram redraw, so while the network plays they wait for the page to be idle (at
// most IDLE_WAIT ms); a redraw at rest writes them, and any still waiting, at once.

const IDLE_WAIT = 200;    // ms
const ROOM = 1;           // ms of an idle period left unused

export class EdgeValues {
  constructor() {
    this.waiting = new Map();   // edge element -> its weight, not yet written
    this.idle = null;
  }

  set(edge, weight, { lazy }) {
    if (!lazy) {
      this.waiting.delete(edge);
      edge.setAttribute("data-value", String(weight));
      return;
    }
    this.waiting.set(edge, weight);
    this.idle ??= requestIdleCallback((deadline) => this.writeSome(deadline), { timeout: IDLE_WAIT });
  }

  // Write those still waiting (before a redraw at rest).
  flush() {
    for (const [edge, weight] of this.waiting) edge.setAttribute("data-value", String(weight));
    this.waiting.clear();
  }

  writeSome(deadline) {
    this.idle = null;
    for (const [edge, weight] of this.waiting) {
      if (!deadline.didTimeout && deadline.timeRemaining() < ROOM) break;
      edge.setAttribute("data-value", String(weight));
      this.waiting.delete(edge);
    }
    if (this.waiting.size) {
      this.idle = requestIdleCallback((d) => this.writeSome(d), { timeout: IDLE_WAIT });
    }
  }
}
