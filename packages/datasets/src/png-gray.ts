import { deflateSync } from 'node:zlib';
import { InvalidDatasetError } from './errors.js';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-32 (ISO-HDLC, the one PNG and gzip use) of some bytes.
 *
 * @example
 * ```ts
 * crc32(new TextEncoder().encode('IEND')); // 0xae426082
 * ```
 */
export function crc32(bytes: Uint8Array, initial = 0): number {
  let c = ~initial >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Filters each row with the PNG filter (None/Sub/Up/Average/Paeth) whose output has the smallest signed sum. */
function filterRows(pixels: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(height * (width + 1));
  const candidate = new Uint8Array(width);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let bestFilter = 0;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let filter = 0; filter < 5; filter++) {
      let score = 0;
      for (let x = 0; x < width; x++) {
        const cur = pixels[row + x]!;
        const left = x > 0 ? pixels[row + x - 1]! : 0;
        const up = y > 0 ? pixels[row - width + x]! : 0;
        const upLeft = x > 0 && y > 0 ? pixels[row - width + x - 1]! : 0;
        const predicted =
          filter === 0
            ? 0
            : filter === 1
              ? left
              : filter === 2
                ? up
                : filter === 3
                  ? (left + up) >> 1
                  : paeth(left, up, upLeft);
        const value = (cur - predicted) & 0xff;
        candidate[x] = value;
        score += value < 128 ? value : 256 - value;
      }
      if (score < bestScore) {
        bestScore = score;
        bestFilter = filter;
        out[y * (width + 1)] = filter;
        out.set(candidate, y * (width + 1) + 1);
      }
    }
    out[y * (width + 1)] = bestFilter;
  }
  return out;
}

/**
 * Encodes 8-bit grayscale pixels (row-major, one byte per pixel) as a PNG file (colour type 0, bit depth 8,
 * adaptive per-row filters, zlib level 9). Dependency-free apart from `node:zlib`.
 *
 * @example
 * ```ts
 * const png = encodeGrayPng(new Uint8Array(28 * 28), 28, 28);
 * await store.put('datasets/digits/train/0/a.png', png, { contentType: 'image/png' });
 * ```
 */
export function encodeGrayPng(pixels: Uint8Array, width: number, height: number): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InvalidDatasetError(`PNG size must be positive integers, got ${width}x${height}`);
  }
  if (pixels.length !== width * height) {
    throw new InvalidDatasetError(
      `expected ${width * height} gray pixels for ${width}x${height}, got ${pixels.length}`,
    );
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = 0; // colour type: grayscale
  header[10] = 0; // compression: deflate
  header[11] = 0; // filter method 0
  header[12] = 0; // no interlace
  const idat = new Uint8Array(deflateSync(filterRows(pixels, width, height), { level: 9 }));
  const parts = [SIGNATURE, chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
