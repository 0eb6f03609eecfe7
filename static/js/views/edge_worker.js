// The edge strokes' worker (see edge_strokes.js): it keeps the diagram's canvas and
// geometry, and draws the latest widths and signs once an animation frame; strokes sent
// while it draws wait, and only the newest are drawn.

import { drawEdges } from "./edge_strokes.js";

let ctx = null, scene = null, latest = null, due = false;

self.onmessage = ({ data }) => {
  if (data.canvas) {
    const { canvas, ...rest } = data;
    ctx = canvas.getContext("2d");
    scene = rest;
    return;
  }
  latest = data;
  if (!due) {
    due = true;
    requestAnimationFrame(() => {
      due = false;
      drawEdges(ctx, { ...scene, ...latest });
    });
  }
};
