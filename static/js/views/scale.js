// How big the views draw: 1 at a desk; presenter mode (features/presenter.js) sets more so
// the back row of a classroom can read a projector. `text`: the letters drawn on canvases
// and in the diagram's SVG; `size`: the diagram's nodes and spacing; `line`: strokes.
// The views read it whenever they build or draw, so a toggle needs only a redraw.

export const drawing = { text: 1, size: 1, line: 1 };

export function setDrawing({ text = 1, size = 1, line = 1 } = {}) {
  Object.assign(drawing, { text, size, line });
}
