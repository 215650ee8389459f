/**
 * Formats Graft decodes.
 *
 * @example
 * ```ts
 * const format: ImageFormat = 'webp';
 * ```
 */
export type ImageFormat = 'jpeg' | 'png' | 'webp';

/**
 * A decoded image: RGBA, row-major, `data.length === width * height * 4`.
 *
 * @example
 * ```ts
 * const img: DecodedImage = { width: 1, height: 1, format: 'png', data: new Uint8ClampedArray([255, 0, 0, 255]) };
 * ```
 */
export interface DecodedImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
  format: ImageFormat;
}

/**
 * Linear preprocessing applied to 0–255 RGB values: `x * scale + offset`.
 * MobileNetV2 (inputs in [-1, 1]) uses `{ scale: 1 / 127.5, offset: -1 }`.
 *
 * @example
 * ```ts
 * const unit: Preprocessing = { scale: 1 / 255, offset: 0 };
 * ```
 */
export interface Preprocessing {
  scale: number;
  offset: number;
}
