// The nodes' heatmaps, all drawn on one canvas laid over the diagram. Chromium gives every
// canvas a compositor layer of its own: a canvas per node (136 on a big network) cost
// ~10 ms of layer upkeep on every frame, changed or not. Here the node squares stay
// elements (white, bordered, with their bias buttons above) and this canvas paints each
// heatmap into its square's inside; it takes no pointer events.

import { decodeGrid, gridBytes } from "./colors.js";
import { scaleForScreen } from "./plot.js";

const PAD = 1;   // each atlas tile repeats its edge cells around it: smoothing never bleeds

export class NodeThumbnails {
  // width x height: the diagram's size in CSS px; size: a node square's
  constructor({ width, height, size }) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "node-thumbs";
    this.dpr = scaleForScreen(this.canvas, width, height);
    this.size = size;
    this.spots = new Map();   // "L:J" -> [x, y] of the node's square
    this.atlas = new OffscreenCanvas(1, 1);   // never in the page: no layer
    this.lut = new Uint8ClampedArray(256 * 3);
  }

  place(id, x, y) {
    this.spots.set(id, [x, y]);
  }

  // No heatmap at id's square any more (a wide layer's unit no longer expanded).
  unplace(id) {
    const spot = this.spots.get(id);
    if (!spot) return;
    this.spots.delete(id);
    const ctx = this.canvas.getContext("2d");
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(spot[0], spot[1], this.size, this.size);
  }

  // Paint GRIDs (id -> grid, R x R) through colorFor(id) -> (value -> rgb), each inside its
  // square's border (borderOf(id) px): the grids go into one atlas image (one
  // putImageData), then each is drawn scaled into its square. The atlas is handed over as
  // an ImageBitmap: a canvas as the source costs a snapshot per drawImage.
  paint(grids, R, colorFor, borderOf) {
    const ids = [...this.spots.keys()].filter((id) => grids[id]);
    const tile = R + 2 * PAD;
    const image = this.atlasImage(tile, tile * Math.max(1, ids.length));
    ids.forEach((id, k) => this.fillTile(image, k * tile, grids[id], R, colorFor(id)));
    this.atlas.getContext("2d").putImageData(image, 0, 0);
    const atlas = this.atlas.transferToImageBitmap();
    const ctx = this.canvas.getContext("2d");
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.imageSmoothingEnabled = true;
    for (const [x, y] of this.spots.values()) ctx.clearRect(x, y, this.size, this.size);
    ids.forEach((id, k) => {
      const [x, y] = this.spots.get(id);
      const border = borderOf(id);
      const inner = this.size - 2 * border;
      ctx.drawImage(atlas, PAD, k * tile + PAD, R, R, x + border, y + border, inner, inner);
    });
    atlas.close();
  }

  // The atlas's ImageData, made again only when its size changes.
  atlasImage(width, height) {
    if (this.image?.width !== width || this.image.height !== height) {
      this.atlas.width = width;
      this.atlas.height = height;
      this.image = new ImageData(width, height);
    }
    return this.image;
  }

  // One grid into the tile whose top row is `top`, its edge cells repeated around it.
  fillTile(image, top, grid, R, colorOf) {
    const rgb = this.cellColors(grid, R, colorOf);
    const px = image.data;
    const width = image.width;
    const cell = Array.from({ length: R + 2 * PAD }, (_, t) => Math.max(0, Math.min(R - 1, t - PAD)));
    for (let ty = 0; ty < cell.length; ty++) {
      const row = cell[ty] * R;
      let o = 4 * (top + ty) * width;
      for (let tx = 0; tx < cell.length; tx++, o += 4) {
        const c = 3 * (row + cell[tx]);
        px[o] = rgb[c]; px[o + 1] = rgb[c + 1]; px[o + 2] = rgb[c + 2]; px[o + 3] = 255;
      }
    }
  }

  // Each cell's rgb: a u8 grid through a 256-entry colour table (colorOf is called 256
  // times, not once per cell), a list grid cell by cell.
  cellColors(grid, R, colorOf) {
    const n = R * R;
    if (this.rgb?.length !== 3 * n) this.rgb = new Uint8ClampedArray(3 * n);
    const rgb = this.rgb;
    if (Array.isArray(grid)) {
      decodeGrid(grid, R).forEach((v, i) => {
        const [r, g, b] = colorOf(v);
        rgb[3 * i] = r; rgb[3 * i + 1] = g; rgb[3 * i + 2] = b;
      });
      return rgb;
    }
    const lut = this.lut;
    const scale = (grid.max - grid.min) / 255;
    for (let k = 0; k < 256; k++) {
      const [r, g, b] = colorOf(grid.min + scale * k);
      lut[3 * k] = r; lut[3 * k + 1] = g; lut[3 * k + 2] = b;
    }
    const bytes = gridBytes(grid);
    for (let i = 0; i < n; i++) {
      const b = 3 * bytes[i];
      rgb[3 * i] = lut[b]; rgb[3 * i + 1] = lut[b + 1]; rgb[3 * i + 2] = lut[b + 2];
    }
    return rgb;
  }
}
