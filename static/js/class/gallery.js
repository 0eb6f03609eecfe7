// The gallery: every student's decision surface as a small tile, coloured as the
// playground colours its plot (plot.js's colours over colors.js's scales), with their name
// and how far they are. A refresh without surfaces (they come every other one) keeps the
// tiles as they were drawn. A click on a tile asks for the spotlight.

import { setAttr, setText } from "../dom.js";
import { fmt } from "../numbers.js";
import { decodeGrid, paint } from "../views/colors.js";
import { OutputPlot } from "../views/plot.js";
import { goalsMet } from "./words.js";

export class GalleryView {
  constructor(root, { onPick }) {
    this.root = root;
    this.tiles = new Map();     // student_id -> {button, canvas, name, caption}
    this.onPick = onPick;
  }

  render(board, { tr }) {
    const seen = new Set();
    board.students.forEach((student, index) => {
      seen.add(student.student_id);
      const tile = this.tile(student.student_id);
      if (this.root.children[index] !== tile.button) this.root.insertBefore(tile.button, this.root.children[index] || null);
      this.fill(tile, student, tr);
    });
    for (const [id, tile] of this.tiles) {
      if (!seen.has(id)) { tile.button.remove(); this.tiles.delete(id); }
    }
  }

  tile(studentId) {
    let tile = this.tiles.get(studentId);
    if (tile) return tile;
    const button = document.createElement("button");
    button.className = "tile";
    button.dataset.student = studentId;
    const canvas = document.createElement("canvas");
    canvas.className = "tile-surface";
    canvas.width = canvas.height = 1;
    const name = document.createElement("span");
    name.className = "tile-name";
    const caption = document.createElement("span");
    caption.className = "tile-caption";
    button.append(canvas, name, caption);
    button.addEventListener("click", () => this.onPick(studentId));
    tile = { button, canvas, name, caption };
    this.tiles.set(studentId, tile);
    return tile;
  }

  fill(tile, s, tr) {
    setAttr(tile.button, "data-status", s.status);
    setText(tile.name, s.name);
    const goals = goalsMet(s, tr);
    const parts = s.status === "gone" ? [tr.t("classGone")]
      : [goals.done ? "✓" : null, s.diverged ? tr.t("classDiverged")
        : s.best_test_loss === null ? null : tr.t("classTileLoss", { loss: fmt(s.best_test_loss) })];
    setText(tile.caption, parts.filter(Boolean).join("  "));
    setAttr(tile.button, "aria-label", `${s.name}: ${tile.caption.textContent}`);
    if (s.boundary) drawSurface(tile.canvas, s.boundary);
    else if (s.status === "gone") clearSurface(tile.canvas);
  }
}

// A boundary from the dashboard: its output grid through the plot's own colours.
function drawSurface(canvas, boundary) {
  const R = boundary.resolution;
  const values = decodeGrid(boundary.output, R);
  const classIndex = boundary.output_class ? decodeGrid(boundary.output_class, R) : null;
  paint(canvas, values, R, OutputPlot.colorFor({ kind: boundary.kind, discretize: false, threshold: 0.5, classIndex }));
  canvas.dataset.drawn = "1";
}

function clearSurface(canvas) {
  canvas.width = canvas.height = 1;
  delete canvas.dataset.drawn;
}
