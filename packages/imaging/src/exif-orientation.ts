import { u16be, u16le, u32be, u32le } from './bytes.js';
import type { Orientation } from './header-types.js';

const ORIENTATION_TAG = 0x0112;

/**
 * Reads the orientation tag (0x0112) from the payload of a JPEG APP1 segment (`Exif\0\0` + TIFF).
 * Returns 1 when absent, malformed or out of range: a bad EXIF block never fails a decode.
 *
 * @example
 * ```ts
 * parseExifOrientation(app1Payload); // 6 → rotate 90° clockwise to display
 * ```
 */
export function parseExifOrientation(payload: Uint8Array): Orientation {
  if (payload.length < 14 || String.fromCharCode(...payload.subarray(0, 4)) !== 'Exif') return 1;
  const tiff = payload.subarray(6);
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return 1;
  const u16 = little ? u16le : u16be;
  const u32 = little ? u32le : u32be;
  if (u16(tiff, 2) !== 42) return 1;
  const ifd = u32(tiff, 4);
  if (ifd + 2 > tiff.length) return 1;
  const count = u16(tiff, ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return 1;
    if (u16(tiff, entry) !== ORIENTATION_TAG) continue;
    const value = u16(tiff, entry + 8);
    return value >= 1 && value <= 8 ? (value as Orientation) : 1;
  }
  return 1;
}
