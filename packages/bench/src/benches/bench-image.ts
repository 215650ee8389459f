import { encodeJpeg } from '@graft/imaging';

/**
 * A deterministic photo-like RGB test image (smooth gradients plus a few edges) encoded as a baseline JPEG.
 *
 * @example
 * ```ts
 * const jpeg = await benchJpeg(224); // ~10 kB
 * ```
 */
export async function benchJpeg(size: number, quality = 85): Promise<Uint8Array> {
  const data = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const u = x / size;
      const v = y / size;
      const ring = Math.hypot(u - 0.5, v - 0.5) < 0.3 ? 80 : 0;
      data[i] = 255 * u * (1 - v) + ring;
      data[i + 1] = 127 + 127 * Math.sin(6 * u + 3 * v);
      data[i + 2] = 255 * v - ring;
      data[i + 3] = 255;
    }
  }
  return encodeJpeg({ width: size, height: size, data }, { quality });
}
