import type { RawImage } from './codecs.js';
import type { Orientation } from './header-types.js';

/**
 * Returns the image as it should be displayed for an EXIF orientation (1–8): flips for 2/4,
 * 180° for 3, transpose/transverse for 5/7, 90° clockwise for 6, 90° counter-clockwise for 8.
 * Orientation 1 returns the input unchanged; otherwise a new RGBA buffer is allocated.
 *
 * @example
 * ```ts
 * const upright = applyOrientation({ width: 4, height: 2, data }, 6); // 2×4
 * ```
 */
export function applyOrientation(image: RawImage, orientation: Orientation): RawImage {
  if (orientation === 1) return image;
  const { width: w, height: h } = image;
  const swap = orientation >= 5;
  const outW = swap ? h : w;
  const outH = swap ? w : h;
  const aligned = image.data.byteOffset % 4 === 0 ? image.data : image.data.slice();
  const src = new Uint32Array(aligned.buffer, aligned.byteOffset, w * h);
  const out = new Uint8ClampedArray(w * h * 4);
  const dst = new Uint32Array(out.buffer);
  const source = sourceOf(orientation, w, h);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) dst[y * outW + x] = src[source(x, y)]!;
  }
  return { width: outW, height: outH, data: out };
}

/** Maps an output pixel (x, y) to the index of the stored pixel shown there. */
function sourceOf(o: Orientation, w: number, h: number): (x: number, y: number) => number {
  switch (o) {
    case 2:
      return (x, y) => y * w + (w - 1 - x);
    case 3:
      return (x, y) => (h - 1 - y) * w + (w - 1 - x);
    case 4:
      return (x, y) => (h - 1 - y) * w + x;
    case 5:
      return (x, y) => x * w + y;
    case 6:
      return (x, y) => (h - 1 - x) * w + y;
    case 7:
      return (x, y) => (h - 1 - x) * w + (w - 1 - y);
    case 8:
      return (x, y) => x * w + (w - 1 - y);
    default:
      return (x, y) => y * w + x;
  }
}
