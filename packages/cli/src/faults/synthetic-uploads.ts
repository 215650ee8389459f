/**
 * Small deterministic uploads for the fault scenarios: distinct PNGs (seeded noise, so every one has its own
 * content hash) with a bad input mixed in every few images, each with the outcome it must end in.
 */
import { deflateSync } from 'node:zlib';
import { seededRandom } from '@graft/core';
import { encodePng } from '@graft/imaging';
import type { ScenarioUpload } from './pipeline-scenario.js';

/**
 * Options of {@link syntheticUploads}.
 *
 * @example
 * ```ts
 * const options: SyntheticOptions = { seed: 3, badEvery: 4, side: 16 };
 * ```
 */
export interface SyntheticOptions {
  seed?: number;
  /** Every n-th upload is a bad input (default 5; 0 = none). */
  badEvery?: number;
  /** Side of the PNGs (default 24). */
  side?: number;
  /** Data set name (default `faults`). */
  dataset?: string;
}

/**
 * `count` uploads under `datasets/<dataset>/train/<a|b>/…`.
 *
 * @example
 * ```ts
 * const uploads = await syntheticUploads(40, { seed: 3 });
 * uploads.filter((u) => u.expect !== 'predict').length; // 8
 * ```
 */
export async function syntheticUploads(
  count: number,
  options: SyntheticOptions = {},
): Promise<ScenarioUpload[]> {
  const random = seededRandom(options.seed ?? 7);
  const side = options.side ?? 24;
  const badEvery = options.badEvery ?? 5;
  const dataset = options.dataset ?? 'faults';
  const uploads: ScenarioUpload[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 2 ? 'a' : 'b';
    const data = new Uint8ClampedArray(side * side * 4);
    for (let p = 0; p < data.length; p++) data[p] = p % 4 === 3 ? 255 : Math.floor(random() * 256);
    const png = await encodePng({ width: side, height: side, data });
    if (badEvery > 0 && i % badEvery === badEvery - 1) {
      const bad = BAD[Math.floor(i / badEvery) % BAD.length]!;
      uploads.push({ key: `datasets/${dataset}/train/${label}/bad-${i}.${bad.ext}`, ...bad.make(png, i) });
    } else {
      uploads.push({ key: `datasets/${dataset}/train/${label}/img-${i}.png`, bytes: png, expect: 'predict' });
    }
  }
  return uploads;
}

const BAD: { ext: string; make(png: Uint8Array, i: number): { bytes: Uint8Array; expect: string } }[] = [
  {
    ext: 'jpg',
    make: (_, i) => ({
      bytes: new TextEncoder().encode(`not an image #${i}\n`),
      expect: 'unsupported_format',
    }),
  },
  {
    ext: 'png',
    make: (png) => ({ bytes: png.slice(0, Math.floor(png.length / 2)), expect: 'corrupt_image' }),
  },
  { ext: 'png', make: (_, i) => ({ bytes: bombPng(50_000 + i), expect: 'image_too_large' }) },
];

/** A PNG whose header declares `side × side` gray pixels over one compressed zero row. */
function bombPng(side: number): Uint8Array {
  const chunk = (type: string, payload: Uint8Array) => {
    const out = Buffer.alloc(12 + payload.length);
    out.writeUInt32BE(payload.length, 0);
    out.write(type, 4, 'latin1');
    Buffer.from(payload).copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + payload.length)), 8 + payload.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(side + 1))),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

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
