import { u16be } from './bytes.js';
import { CorruptImageError } from './errors.js';
import { parseExifOrientation } from './exif-orientation.js';
import type { ImageHeader, Orientation } from './header-types.js';

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP1 = 0xe1;

/** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
const isStartOfFrame = (m: number): boolean =>
  m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
/** Markers without a length field. */
const isStandalone = (m: number): boolean => m === SOI || m === 0x01 || (m >= 0xd0 && m <= 0xd7);

/**
 * Walks the JPEG marker segments up to the frame header (SOFn) and returns its dimensions, component
 * count, progressive flag and the EXIF orientation of any APP1 segment seen before it.
 *
 * @example
 * ```ts
 * readJpegHeader(bytes); // { format: 'jpeg', width: 640, height: 480, orientation: 1, components: 3, ... }
 * ```
 */
export function readJpegHeader(bytes: Uint8Array): ImageHeader {
  let orientation: Orientation = 1;
  let pos = 2;
  while (pos < bytes.length) {
    if (bytes[pos] !== 0xff) throw new CorruptImageError(`JPEG: expected a marker at byte ${pos}`);
    while (pos < bytes.length && bytes[pos] === 0xff) pos++; // fill bytes
    const marker = bytes[pos++];
    if (marker === undefined) break;
    if (isStandalone(marker)) continue;
    if (marker === EOI || marker === SOS)
      throw new CorruptImageError('JPEG: no frame header before image data');
    if (pos + 2 > bytes.length) break;
    const length = u16be(bytes, pos);
    if (length < 2) throw new CorruptImageError(`JPEG: invalid segment length ${length} at byte ${pos}`);
    const end = pos + length;
    if (end > bytes.length) break;
    const payload = bytes.subarray(pos + 2, end);
    if (marker === APP1 && orientation === 1) orientation = parseExifOrientation(payload);
    if (isStartOfFrame(marker)) return frameHeader(marker, payload, orientation);
    pos = end;
  }
  throw new CorruptImageError('JPEG: truncated before the frame header');
}

function frameHeader(marker: number, sof: Uint8Array, orientation: Orientation): ImageHeader {
  if (sof.length < 6) throw new CorruptImageError('JPEG: frame header too short');
  const height = u16be(sof, 1);
  const width = u16be(sof, 3);
  const components = sof[5]!;
  if (width === 0 || height === 0) throw new CorruptImageError(`JPEG: invalid dimensions ${width}x${height}`);
  if (components === 0 || sof.length < 6 + components * 3) {
    throw new CorruptImageError(`JPEG: invalid component count ${components}`);
  }
  const progressive = marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce;
  return { format: 'jpeg', width, height, orientation, animated: false, components, progressive };
}
