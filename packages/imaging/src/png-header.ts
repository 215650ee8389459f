import { fourcc, u32be } from './bytes.js';
import { CorruptImageError } from './errors.js';
import type { ImageHeader } from './header-types.js';

const VALID_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

/**
 * Reads the PNG IHDR chunk (always the first chunk, right after the 8-byte signature).
 *
 * @example
 * ```ts
 * readPngHeader(bytes); // { format: 'png', width: 28, height: 28, bitDepth: 8, colorType: 0, ... }
 * ```
 */
export function readPngHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 8 + 8 + 13) throw new CorruptImageError('PNG: truncated before the end of IHDR');
  if (fourcc(bytes, 12) !== 'IHDR' || u32be(bytes, 8) !== 13) {
    throw new CorruptImageError('PNG: the first chunk is not a valid IHDR');
  }
  const width = u32be(bytes, 16);
  const height = u32be(bytes, 20);
  const bitDepth = bytes[24]!;
  const colorType = bytes[25]!;
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) {
    throw new CorruptImageError(`PNG: invalid dimensions ${width}x${height}`);
  }
  if (!VALID_DEPTHS[colorType]?.includes(bitDepth)) {
    throw new CorruptImageError(`PNG: invalid colour type ${colorType} with bit depth ${bitDepth}`);
  }
  return { format: 'png', width, height, orientation: 1, animated: false, bitDepth, colorType };
}
