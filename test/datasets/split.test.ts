import { createHash } from 'node:crypto';
import { assertSplitFractions, hashUnit, InvalidDatasetError, splitFor } from '@graft/datasets';
import { describe, expect, it } from 'vitest';

describe('splitFor', () => {
  it('is a pure function of the SHA-256 of the key (pinned values stay stable across runs)', () => {
    const digest = createHash('sha256').update('cat/001.jpg').digest();
    const expected = (digest.readUInt32BE(0) * 2 ** 20 + (digest.readUInt32BE(4) >>> 12)) / 2 ** 52;
    expect(hashUnit('cat/001.jpg')).toBe(expected);
    const names = Array.from({ length: 8 }, (_, i) => `img-${i}.png`);
    // Pinned: if these change, every stored data set would be re-split.
    expect(names.map((n) => splitFor(n))).toEqual([
      'val',
      'train',
      'train',
      'train',
      'train',
      'train',
      'test',
      'train',
    ]);
    expect(splitFor(new TextEncoder().encode('cat/001.jpg'))).toBe(splitFor('cat/001.jpg'));
  });

  it('matches the fractions on 20,000 keys within 1.5 points', () => {
    const fractions = { train: 0.7, val: 0.2, test: 0.1 };
    const counts = { train: 0, val: 0, test: 0 };
    for (let i = 0; i < 20_000; i++) counts[splitFor(`sample-${i}.jpg`, fractions)]++;
    expect(Math.abs(counts.train / 20_000 - 0.7)).toBeLessThan(0.015);
    expect(Math.abs(counts.val / 20_000 - 0.2)).toBeLessThan(0.015);
    expect(Math.abs(counts.test / 20_000 - 0.1)).toBeLessThan(0.015);
    const defaults = { train: 0, val: 0, test: 0 };
    for (let i = 0; i < 20_000; i++) defaults[splitFor(`x${i}`)]++;
    expect(Math.abs(defaults.train / 20_000 - 0.8)).toBeLessThan(0.015);
  });

  it('honours zero fractions exactly', () => {
    for (let i = 0; i < 2000; i++) {
      expect(splitFor(`k${i}`, { train: 1, val: 0, test: 0 })).toBe('train');
      expect(splitFor(`k${i}`, { train: 0.9, val: 0.1, test: 0 })).not.toBe('test');
      expect(splitFor(`k${i}`, { train: 0, val: 0, test: 1 })).toBe('test');
    }
  });

  it('keeps every old assignment when the data set grows (no reshuffle)', () => {
    const before = Array.from({ length: 500 }, (_, i) => splitFor(`f${i}`));
    const after = Array.from({ length: 1000 }, (_, i) => splitFor(`f${i}`)).slice(0, 500);
    expect(after).toEqual(before);
  });

  it('rejects fractions that are negative, not numbers or do not sum to 1', () => {
    expect(() => assertSplitFractions({ train: 0.8, val: 0.1, test: 0.2 })).toThrow(InvalidDatasetError);
    expect(() => splitFor('a', { train: 1.1, val: -0.1, test: 0 })).toThrow(/≥ 0/);
    expect(() => splitFor('a', { train: Number.NaN, val: 0, test: 1 })).toThrow(InvalidDatasetError);
  });
});
