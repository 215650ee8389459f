import { ImageTooLargeError } from './errors.js';

/**
 * Upper bounds checked before any pixel is decoded.
 *
 * @example
 * ```ts
 * const limits: ImageLimits = { maxBytes: 5 * 1024 * 1024, maxPixels: 12_000_000 };
 * ```
 */
export interface ImageLimits {
  /** Maximum encoded size in bytes (default 20 MB). */
  maxBytes?: number;
  /** Maximum width × height (default 40 megapixels). */
  maxPixels?: number;
}

/**
 * Default limits: 20 MB encoded, 40 megapixels decoded (~160 MB of RGBA).
 *
 * @example
 * ```ts
 * await decodeImage(bytes, { ...DEFAULT_LIMITS, maxPixels: 10_000_000 });
 * ```
 */
export const DEFAULT_LIMITS: Readonly<Required<ImageLimits>> = Object.freeze({
  maxBytes: 20 * 1024 * 1024,
  maxPixels: 40_000_000,
});

/**
 * Throws {@link ImageTooLargeError} when the encoded size exceeds `maxBytes`.
 *
 * @example
 * ```ts
 * assertByteLimit(bytes.length, { maxBytes: 1024 });
 * ```
 */
export function assertByteLimit(byteLength: number, limits: ImageLimits = {}): void {
  const maxBytes = limits.maxBytes ?? DEFAULT_LIMITS.maxBytes;
  if (byteLength > maxBytes) {
    throw new ImageTooLargeError(`The file has ${byteLength} bytes; the limit is ${maxBytes}`, {
      byteLength,
    });
  }
}

/**
 * Throws {@link ImageTooLargeError} when `width × height` exceeds `maxPixels`.
 *
 * @example
 * ```ts
 * assertPixelLimit(50_000, 50_000); // throws: 2.5 gigapixels > 40 MP
 * ```
 */
export function assertPixelLimit(width: number, height: number, limits: ImageLimits = {}): void {
  const maxPixels = limits.maxPixels ?? DEFAULT_LIMITS.maxPixels;
  if (width * height > maxPixels) {
    throw new ImageTooLargeError(
      `The image declares ${width}x${height} = ${width * height} pixels; the limit is ${maxPixels}`,
      { width, height },
    );
  }
}
