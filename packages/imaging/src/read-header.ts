import { EmptyImageError, UnsupportedFormatError } from './errors.js';
import type { ImageHeader } from './header-types.js';
import { readJpegHeader } from './jpeg-header.js';
import { assertByteLimit, assertPixelLimit, type ImageLimits } from './limits.js';
import { readPngHeader } from './png-header.js';
import { sniffFormat } from './sniff-format.js';
import { readWebpHeader } from './webp-header.js';

/**
 * Identifies the format and reads the dimensions from the header only — no pixel is decoded and nothing
 * proportional to the image size is allocated. When `limits` is given, also enforces them.
 *
 * @throws EmptyImageError for 0 bytes, UnsupportedFormatError for GIF/PDF/HTML/text/unknown bytes,
 *   CorruptImageError for a malformed header, ImageTooLargeError when `limits` are exceeded.
 * @example
 * ```ts
 * const { format, width, height } = readHeader(bytes, { maxPixels: 40_000_000 });
 * ```
 */
export function readHeader(bytes: Uint8Array, limits?: ImageLimits): ImageHeader {
  if (limits) assertByteLimit(bytes.length, limits);
  const sniffed = sniffFormat(bytes);
  let header: ImageHeader;
  switch (sniffed) {
    case 'jpeg':
      header = readJpegHeader(bytes);
      break;
    case 'png':
      header = readPngHeader(bytes);
      break;
    case 'webp':
      header = readWebpHeader(bytes);
      break;
    case 'empty':
      throw new EmptyImageError();
    default:
      throw new UnsupportedFormatError(
        sniffed,
        sniffed === 'unknown'
          ? 'Unrecognised file: expected JPEG, PNG or WebP'
          : `The bytes are ${sniffed.toUpperCase()}, not an image Graft decodes (JPEG, PNG or WebP)`,
      );
  }
  if (limits) assertPixelLimit(header.width, header.height, limits);
  return header;
}
