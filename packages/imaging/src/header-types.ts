import type { ImageFormat } from './types.js';

/**
 * EXIF orientation 1–8 (1 = as stored, 6 = rotate 90° clockwise to display, 8 = 90° counter-clockwise).
 *
 * @example
 * ```ts
 * const upright: Orientation = 1;
 * ```
 */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/**
 * What the header says, read without decoding pixels. `width`/`height` are the stored dimensions
 * (before EXIF orientation: for orientations 5–8 the decoded image is `height × width`).
 *
 * @example
 * ```ts
 * const h: ImageHeader = { format: 'png', width: 2, height: 2, orientation: 1, animated: false };
 * ```
 */
export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
  orientation: Orientation;
  animated: boolean;
  /** JPEG: number of colour components (1 gray, 3 YCbCr/RGB, 4 CMYK/YCCK). */
  components?: number;
  /** JPEG: progressive (SOF2/6/10/14). */
  progressive?: boolean;
  /** PNG: bit depth and colour type from IHDR. */
  bitDepth?: number;
  colorType?: number;
}
