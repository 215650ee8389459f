import { fourcc, u16le, u24le, u32le } from './bytes.js';
import { CorruptImageError } from './errors.js';
import type { ImageHeader } from './header-types.js';

const VP8X_ANIMATION = 0x02;

/**
 * Reads WebP dimensions from the first chunk: `VP8 ` (lossy key frame), `VP8L` (lossless) or `VP8X` (extended canvas).
 *
 * @example
 * ```ts
 * readWebpHeader(bytes); // { format: 'webp', width: 224, height: 224, animated: false, ... }
 * ```
 */
export function readWebpHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 30)
    throw new CorruptImageError('WebP: truncated before the end of the first chunk header');
  const chunk = fourcc(bytes, 12);
  const base = { format: 'webp' as const, orientation: 1 as const, animated: false };
  if (chunk === 'VP8 ') {
    if (bytes[23] !== 0x9d || bytes[24] !== 0x01 || bytes[25] !== 0x2a) {
      throw new CorruptImageError('WebP: VP8 key frame start code missing');
    }
    return checked({ ...base, width: u16le(bytes, 26) & 0x3fff, height: u16le(bytes, 28) & 0x3fff });
  }
  if (chunk === 'VP8L') {
    if (bytes[20] !== 0x2f) throw new CorruptImageError('WebP: VP8L signature missing');
    const bits = u32le(bytes, 21);
    return checked({ ...base, width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 });
  }
  if (chunk === 'VP8X') {
    const animated = (bytes[20]! & VP8X_ANIMATION) !== 0;
    return checked({ ...base, animated, width: u24le(bytes, 24) + 1, height: u24le(bytes, 27) + 1 });
  }
  throw new CorruptImageError(`WebP: unexpected first chunk '${chunk}'`);
}

function checked(header: ImageHeader): ImageHeader {
  if (header.width === 0 || header.height === 0) {
    throw new CorruptImageError(`WebP: invalid dimensions ${header.width}x${header.height}`);
  }
  return header;
}
