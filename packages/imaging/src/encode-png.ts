import { encodePngRaw } from './codecs.js';
import { InvalidImageError } from './errors.js';

/**
 * Pixels to encode: `data` is gray (1 byte/pixel), RGB (3) or RGBA (4), inferred from its length.
 *
 * @example
 * ```ts
 * const digit: PixelsToEncode = { width: 28, height: 28, data: new Uint8Array(784) };
 * ```
 */
export interface PixelsToEncode {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/**
 * Encodes gray, RGB or RGBA pixels as an 8-bit RGBA PNG (lossless; decodes back to the same values).
 *
 * @throws InvalidImageError when the dimensions and `data.length` do not match 1, 3 or 4 channels.
 * @example
 * ```ts
 * const png = await encodePng({ width: 28, height: 28, data: grayDigit }); // Uint8Array starting 0x89 'PNG'
 * ```
 */
export async function encodePng(image: PixelsToEncode): Promise<Uint8Array> {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InvalidImageError(`Invalid dimensions ${width}x${height}`);
  }
  const pixels = width * height;
  const channels = data.length / pixels;
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new InvalidImageError(
      `data has ${data.length} values; expected ${pixels} (gray), ${pixels * 3} (RGB) or ${pixels * 4} (RGBA)`,
    );
  }
  return encodePngRaw({ width, height, data: toRgba(data, channels, pixels) });
}

function toRgba(data: Uint8Array | Uint8ClampedArray, channels: number, pixels: number): Uint8ClampedArray {
  if (channels === 4) return new Uint8ClampedArray(data.buffer, data.byteOffset, data.length);
  const out = new Uint8ClampedArray(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    const r = data[i * channels]!;
    out[i * 4] = r;
    out[i * 4 + 1] = channels === 1 ? r : data[i * 3 + 1]!;
    out[i * 4 + 2] = channels === 1 ? r : data[i * 3 + 2]!;
    out[i * 4 + 3] = 255;
  }
  return out;
}
