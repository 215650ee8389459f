import { extname } from 'node:path';

const BY_EXTENSION: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.jfif': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.avif': 'image/avif',
  '.heic': 'image/heic',
  '.svg': 'image/svg+xml',
};

function startsWith(bytes: Uint8Array, prefix: number[], offset = 0): boolean {
  return prefix.every((b, i) => bytes[offset + i] === b);
}

/** Content type from the file's magic bytes, for the formats Graft can decode (and GIF/BMP/TIFF). */
function sniff(bytes: Uint8Array): string | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8))
    return 'image/webp';
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return 'image/gif';
  if (startsWith(bytes, [0x42, 0x4d])) return 'image/bmp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]))
    return 'image/tiff';
  return undefined;
}

/**
 * Content type for an upload: sniffed from the bytes when they are a known image format (so a PNG named
 * `x.jpg` is stored as `image/png`), else from the file extension, else `application/octet-stream`.
 *
 * @example
 * ```ts
 * contentTypeFor('cat.jpg', bytes); // 'image/jpeg'
 * contentTypeFor('notes.txt', new TextEncoder().encode('hi')); // 'application/octet-stream'
 * ```
 */
export function contentTypeFor(fileName: string, bytes?: Uint8Array): string {
  const sniffed = bytes ? sniff(bytes) : undefined;
  if (sniffed) return sniffed;
  return BY_EXTENSION[extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * True when the file name has an image extension Graft recognises.
 *
 * @example
 * ```ts
 * hasImageExtension('a.JPG'); // true
 * hasImageExtension('README.md'); // false
 * ```
 */
export function hasImageExtension(fileName: string): boolean {
  return extname(fileName).toLowerCase() in BY_EXTENSION;
}
