/**
 * Composites RGBA onto a white background in place and sets every alpha to 255 — what a viewer shows
 * for a transparent PNG/WebP on a white page, and what an RGB model should see. Returns whether
 * any pixel was (partly) transparent.
 *
 * @example
 * ```ts
 * flattenAlpha(new Uint8ClampedArray([0, 0, 0, 0])); // → [255, 255, 255, 255], returns true
 * ```
 */
export function flattenAlpha(rgba: Uint8ClampedArray): boolean {
  let transparent = false;
  for (let i = 3; i < rgba.length; i += 4) {
    const a = rgba[i]!;
    if (a === 255) continue;
    transparent = true;
    const white = 255 * (255 - a);
    rgba[i - 3] = (rgba[i - 3]! * a + white) / 255;
    rgba[i - 2] = (rgba[i - 2]! * a + white) / 255;
    rgba[i - 1] = (rgba[i - 1]! * a + white) / 255;
    rgba[i] = 255;
  }
  return transparent;
}
