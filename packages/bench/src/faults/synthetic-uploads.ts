/**
 * Small deterministic uploads for the fault scenarios: distinct PNGs (seeded noise, so every one has its own
 * content hash) with a bad input mixed in every few images, each with the outcome it must end in.
 */
import { deflateSync } from 'node:zlib';
import { seededRandom } from '@graft/core';
import { encodePng } from '@graft/imaging';
import type { ScenarioUpload } from './pipeline-scenario.js';
import { rawPng } from './raw-png.js';

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
  return rawPng(side, side, 8, 0, new Uint8Array(side), [], deflateSync(Buffer.alloc(side + 1)));
}
