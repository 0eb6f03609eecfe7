// Colour scales and grid painting. Blue (negative, class 0) and orange (positive, class 1)
// as TensorFlow Playground draws them: a pair colour-blind readers can tell apart. One
// colour per class everywhere (points, plot, node heatmaps, thumbnails, legend): classes
// 0 and 1 are that blue and orange in every problem, then green, pink, violet and brown.

export const BLUE = [8, 119, 189];
export const ORANGE = [245, 147, 34];
export const WHITE = [232, 234, 235];
// Classes 4 and 5 are violet and brown, not Okabe-Ito's sky blue and vermillion: those
// are too close to the blue and orange once lightened on the decision surface.
export const CLASS_COLORS = [
  BLUE, ORANGE, [0, 158, 115], [204, 121, 167], [117, 112, 179], [140, 86, 75],
];

export const css = ([r, g, b], a = 1) => `rgba(${r}, ${g}, ${b}, ${a})`;

export function mix(a, b, t) {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

// p in [0, 1] (clipped): near-white to class k's colour (a class's probability).
export function classRamp(k) {
  const c = CLASS_COLORS[k % CLASS_COLORS.length];
  return (p) => mix(WHITE, c, Math.max(0, Math.min(1, p)));
}

// The colour scale of output node `id`'s values: each class's own colour for a class
// probability (softmax, one-vs-all), blue to orange for a sigmoid, the value scale for a
// regression.
export function outputColor(snapshot, id) {
  const head = snapshot.config.head;
  if (head === "softmax" || head === "one_vs_all") return classRamp(Number(id.split(":")[1]));
  if (snapshot.kind === "regression") return diverging;
  return (p) => diverging(2 * p - 1);
}

// A data point's colour: its class's, or its value's for regression (y >= 0.5 is class 1
// on binary data, whose labels are 0 and 1).
export function labelColor(kind, y) {
  if (kind === "multiclass") return CLASS_COLORS[y | 0];
  if (kind === "regression") return diverging(y);
  return y >= 0.5 ? ORANGE : BLUE;
}

// v in [-1, 1] (clipped): blue through near-white to orange.
export function diverging(v) {
  const x = Math.max(-1, Math.min(1, v));
  return x < 0 ? mix(WHITE, BLUE, -x) : mix(WHITE, ORANGE, x);
}

// A u8 GRID's bytes: as they came in a binary frame, or decoded from base64 (JSON).
export function gridBytes(grid) {
  if (grid.bytes) return grid.bytes;
  const text = atob(grid.data);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

// A contract GRID (u8 object or nested lists) as a flat Float32Array, row-major.
export function decodeGrid(grid, resolution) {
  const n = resolution * resolution;
  const out = new Float32Array(n);
  if (Array.isArray(grid)) {
    let k = 0;
    for (const row of grid) for (const v of row) out[k++] = v;
    return out;
  }
  const bytes = gridBytes(grid);
  const scale = (grid.max - grid.min) / 255;
  for (let i = 0; i < n; i++) out[i] = grid.min + scale * bytes[i];
  return out;
}

const images = new WeakMap();   // canvas -> its ImageData, kept from one frame to the next

// Paint values (row-major, row 0 = top) onto a canvas through colorOf(value, index) -> rgb.
export function paint(canvas, values, resolution, colorOf) {
  if (canvas.width !== resolution || canvas.height !== resolution) {
    canvas.width = resolution;
    canvas.height = resolution;
  }
  const ctx = canvas.getContext("2d");
  let image = images.get(canvas);
  if (image?.width !== resolution) images.set(canvas, image = ctx.createImageData(resolution, resolution));
  const px = image.data;
  for (let i = 0; i < values.length; i++) {
    const [r, g, b] = colorOf(values[i], i);
    px[4 * i] = r;
    px[4 * i + 1] = g;
    px[4 * i + 2] = b;
    px[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}
