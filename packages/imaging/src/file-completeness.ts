import { fourcc, u32be, u32le } from './bytes.js';
import { CorruptImageError } from './errors.js';

/**
 * Walks the PNG chunk list (lengths only, no decompression) and throws when the file ends before IEND:
 * the decoder alone accepts a PNG whose tail is missing once the pixel data happens to be complete.
 *
 * @example
 * ```ts
 * assertPngComplete(bytes); // throws CorruptImageError('PNG: truncated ...') for a cut file
 * ```
 */
export function assertPngComplete(bytes: Uint8Array): void {
  let pos = 8;
  while (pos + 8 <= bytes.length) {
    const length = u32be(bytes, pos);
    if (fourcc(bytes, pos + 4) === 'IEND') {
      if (pos + 12 + length <= bytes.length) return;
      break;
    }
    pos += 12 + length;
  }
  throw new CorruptImageError('PNG: truncated (the file ends before the IEND chunk)');
}

/**
 * Throws when a WebP file is shorter than its RIFF header declares.
 *
 * @example
 * ```ts
 * assertWebpComplete(bytes);
 * ```
 */
export function assertWebpComplete(bytes: Uint8Array): void {
  const declared = u32le(bytes, 4) + 8;
  if (declared > bytes.length) {
    throw new CorruptImageError(
      `WebP: truncated (RIFF declares ${declared} bytes, the file has ${bytes.length})`,
    );
  }
}
