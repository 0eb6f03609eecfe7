// The diagram's keyboard, mixed into NetworkView: the diagram is one tab stop (roving
// focus). Arrow keys move between nodes (up/down in a layer, left/right across layers);
// Enter edits a node's bias, S a PReLU node's slope, N a batch-normalized node's γ, β
// and running statistics (a wide layer's cell too), Space shows its numbers; W walks the
// weights into the node (arrows move among them, Enter edits one, Escape goes back to the
// node). In a compact layer's grid of cells the arrows move as the cells lie (left and
// right across the layers at a row's ends), W opens the unit picker at the unit (its
// edges are bands), and B goes to its group's bands (wide_bands.js: arrows among them,
// Enter opens the unit picker at one, Escape comes back).

export const DiagramKeys = {
  // Build the diagram again (`rebuild`), the focus staying where it was: on the same
  // header control (one pressed by keyboard), else on the node holding the tab stop (0:0
  // when that node is gone).
  keepingFocus(rebuild) {
    const active = this.root.contains(document.activeElement) ? document.activeElement : null;
    const control = active?.dataset.control;
    rebuild();
    if (!this.nodes.has(this.focusId)) this.focusId = "0:0";
    this.nodes.get(this.focusId)?.div.setAttribute("tabindex", "0");
    const again = control && this.root.querySelector(`[data-control="${control}"]`);
    if (again) again.focus();
    else if (active) this.focusNode(this.focusId);
  },

  takeFocus(id) {
    if (this.focusId === id) return;
    this.nodes.get(this.focusId)?.div.setAttribute("tabindex", "-1");
    this.focusId = id;
    this.nodes.get(id)?.div.setAttribute("tabindex", "0");
  },

  focusNode(id) {
    const node = this.nodes.get(id);
    if (!node) return;
    this.takeFocus(id);
    node.div.focus();
  },

  nodeKey(ev, id) {
    const [l, j] = id.split(":").map(Number);
    const layers = Math.max(...[...this.nodes.keys()].map((k) => Number(k.split(":")[0]))) + 1;
    const units = (layer) => [...this.nodes.keys()].filter((k) => k.startsWith(`${layer}:`)).length;
    const go = (layer, node) => this.focusNode(`${layer}:${Math.max(0, Math.min(units(layer) - 1, node))}`);
    const cols = this.strips.get(l)?.cols || 1;
    const inRow = (d) => cols > 1 && Math.floor((j + d) / cols) === Math.floor(j / cols) && j + d >= 0
      && j + d < units(l);
    const weights = () => {      // edges drawn one by one: the first; bands: the picker
      const first = this.incoming(id)[0];
      if (first) first.focus();
      else if (l > 0) this.on.pickUnit(id);
    };
    const keys = {
      ArrowUp: () => go(l, j - cols), ArrowDown: () => go(l, j + cols),
      ArrowLeft: () => (inRow(-1) ? go(l, j - 1) : l > 0 && go(l - 1, j)),
      ArrowRight: () => (inRow(1) ? go(l, j + 1) : l < layers - 1 && go(l + 1, j)),
      Home: () => go(l, 0), End: () => go(l, units(l) - 1),
      Enter: () => l > 0 && this.on.editBias(id, this.nodes.get(id).div),
      " ": () => this.on.hoverNode(id, this.nodes.get(id).div),   // show its numbers, don't scroll
      w: () => weights(), W: () => weights(),
      s: () => this.editSlopeOf(id), S: () => this.editSlopeOf(id),
      b: () => this.focusBandOf(l, j), B: () => this.focusBandOf(l, j),
      n: () => l > 0 && this.on.editNorm(id, this.nodes.get(id).div),
      N: () => l > 0 && this.on.editNorm(id, this.nodes.get(id).div),
    };
    if (!keys[ev.key]) return;
    ev.preventDefault();
    ev.stopPropagation();
    keys[ev.key]();
  },

  editSlopeOf(id) {
    const slope = this.nodes.get(id).slope;
    if (slope) this.on.editSlope(id, slope);
  },

  incoming(nodeId) {
    const [l, j] = nodeId.split(":").map(Number);
    return [...this.edges].filter(([id]) => {
      const [el_, , ej] = id.split(":").map(Number);
      return el_ === l - 1 && ej === j;
    }).map(([, path]) => path);
  },

  edgeKey(ev, id, path) {
    const [l, , j] = id.split(":").map(Number);
    const target = `${l + 1}:${j}`;
    const siblings = this.incoming(target);
    const at = siblings.indexOf(path);
    const keys = {
      Enter: () => this.on.editWeight(id, path), " ": () => this.on.editWeight(id, path),
      ArrowUp: () => siblings[Math.max(0, at - 1)].focus(), ArrowLeft: () => siblings[Math.max(0, at - 1)].focus(),
      ArrowDown: () => siblings[Math.min(siblings.length - 1, at + 1)].focus(),
      ArrowRight: () => siblings[Math.min(siblings.length - 1, at + 1)].focus(),
      Escape: () => this.focusNode(target),
    };
    if (!keys[ev.key]) return;
    ev.preventDefault();
    ev.stopPropagation();
    keys[ev.key]();
  },
};
