// What an edge's element says of its weight: data-value (the weight as the page shows it,
// for whoever reads the page: the contract, the tests) and --w and --c (its stroke's width
// and colour, which its SVG path uses only when highlighted; edge_strokes.js draws it).
// A big network's ~1,900 attribute writes cost ~2 ms and the restyles more, so while the
// network plays they wait for the page to be idle (at most IDLE_WAIT ms); a redraw at
// rest writes them, and any still waiting, at once. An edge element carries _w, _width
// and _color (see NetworkView.updateEdges).

const IDLE_WAIT = 200;    // ms
const ROOM = 1;           // ms of an idle period left unused

export class EdgeValues {
  constructor() {
    this.waiting = new Set();   // edge elements not yet written
    this.idle = null;
  }

  set(edge, { lazy }) {
    if (!lazy) {
      this.waiting.delete(edge);
      write(edge);
      return;
    }
    this.waiting.add(edge);
    this.idle ??= requestIdleCallback((deadline) => this.writeSome(deadline), { timeout: IDLE_WAIT });
  }

  // Write those still waiting (before a redraw at rest).
  flush() {
    for (const edge of this.waiting) write(edge);
    this.waiting.clear();
  }

  writeSome(deadline) {
    this.idle = null;
    for (const edge of this.waiting) {
      if (!deadline.didTimeout && deadline.timeRemaining() < ROOM) break;
      write(edge);
      this.waiting.delete(edge);
    }
    if (this.waiting.size) {
      this.idle = requestIdleCallback((d) => this.writeSome(d), { timeout: IDLE_WAIT });
    }
  }
}

function write(edge) {
  edge.setAttribute("data-value", String(edge._w));
  if (edge._shown?.width !== edge._width) edge.style.setProperty("--w", edge._width);
  if (edge._shown?.color !== edge._color) edge.style.setProperty("--c", edge._color);
  edge._shown = { width: edge._width, color: edge._color };
}
