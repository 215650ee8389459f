import { decodeImage, ImagingError } from '@graft/imaging';
import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures.js';

/** Deterministic PRNG (mulberry32) so a failure is reproducible. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** Either decodes to a consistent image or fails with an ImagingError — never anything else. */
async function expectGraceful(bytes: Uint8Array, label: string): Promise<'ok' | string> {
  try {
    const img = await decodeImage(bytes);
    expect(img.data.length, label).toBe(img.width * img.height * 4);
    return 'ok';
  } catch (error) {
    expect(error, `${label}: ${String(error)}`).toBeInstanceOf(ImagingError);
    return (error as ImagingError).code;
  }
}

const SOURCES = [
  'photo-224.jpg',
  'photo-progressive.jpg',
  'rgba.png',
  'palette.png',
  'photo.webp',
  'animated.webp',
];

describe('decodeImage on damaged data', () => {
  it.each(SOURCES)('%s truncated at 40 points never crashes or hangs', async (name) => {
    const bytes = fixture(name);
    const codes = new Set<string>();
    for (let k = 1; k <= 40; k++) {
      codes.add(
        await expectGraceful(bytes.subarray(0, Math.floor((bytes.length * k) / 41)), `${name} cut ${k}`),
      );
    }
    expect(codes.has('ok')).toBe(false); // a truncated file is never silently accepted
  });

  it.each(SOURCES)('%s with random byte flips gives an image or a typed error', async (name) => {
    const bytes = fixture(name);
    const random = rng(name.length * 7919);
    for (let k = 0; k < 40; k++) {
      const damaged = bytes.slice();
      const flips = 1 + Math.floor(random() * 8);
      for (let f = 0; f < flips; f++)
        damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
      await expectGraceful(damaged, `${name} mutation ${k}`);
    }
    // The codecs still work afterwards.
    const ok = await decodeImage(bytes);
    expect(ok.width).toBeGreaterThan(0);
  });
});

describe('decodeImage concurrency', () => {
  it('attributes decoder warnings to the right image when decodes run concurrently', async () => {
    const good = fixture('photo-224.jpg');
    const cut = fixture('truncated.jpg');
    const jobs = Array.from({ length: 16 }, (_, i) => (i % 2 ? cut : good));
    const results = await Promise.allSettled(jobs.map((bytes) => decodeImage(bytes)));
    results.forEach((r, i) => {
      if (i % 2) expect(r.status === 'rejected' && (r.reason as ImagingError).code).toBe('corrupt_image');
      else expect(r.status, `good image #${i}`).toBe('fulfilled');
    });
  });
});
