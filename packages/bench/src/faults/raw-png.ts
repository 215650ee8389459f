/**
 * A byte-level PNG writer for crafted inputs (declared sizes, bit depths, palettes and chunks an encoder would
 * not produce): used by the bad-upload scenarios and the test fixture generators.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * One PNG chunk: length, type, payload and CRC.
 *
 * @example
 * ```ts
 * const palette = pngChunk('PLTE', new Uint8Array([255, 0, 0, 0, 0, 255]));
 * ```
 */
export function pngChunk(type: string, payload: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.write(type, 4, 'latin1');
  Buffer.from(payload).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + payload.length)), 8 + payload.length);
  return out;
}

/**
 * Writes a PNG from raw scanlines (filter type 0 prepended here); `extra` chunks go before the image data and
 * `idat` replaces the compressed data (e.g. a bomb: a huge declared size over a tiny stream).
 *
 * @example
 * ```ts
 * const gray16 = rawPng(4, 4, 16, 0, new Uint8Array(4 * 4 * 2));
 * const bomb = rawPng(50_000, 50_000, 8, 0, new Uint8Array(50_000), [], deflateSync(Buffer.alloc(50_001)));
 * ```
 */
export function rawPng(
  width: number,
  height: number,
  bitDepth: number,
  colorType: number,
  rows: Uint8Array,
  extra: Buffer[] = [],
  idat?: Uint8Array,
): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([bitDepth, colorType, 0, 0, 0], 8);
  const stride = rows.length / height;
  const filtered = idat ? undefined : Buffer.alloc(rows.length + height);
  if (filtered)
    for (let y = 0; y < height; y++)
      filtered.set(rows.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    ...extra,
    pngChunk('IDAT', idat ?? deflateSync(filtered!)),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}
