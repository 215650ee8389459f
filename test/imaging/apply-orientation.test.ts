import { applyOrientation, type Orientation } from '@graft/imaging';
import { describe, expect, it } from 'vitest';

/** 3×2 image whose pixel (x, y) has red = 10·x + y + 1 (so every pixel is distinguishable). */
const stored = () => {
  const data = new Uint8ClampedArray(3 * 2 * 4);
  for (let y = 0; y < 2; y++)
    for (let x = 0; x < 3; x++) data.set([10 * x + y + 1, 0, 0, 255], (y * 3 + x) * 4);
  return { width: 3, height: 2, data };
};

/** Displayed rows of red values for each orientation of the 3×2 image [[1,11,21],[2,12,22]]. */
const expected: Record<Orientation, number[][]> = {
  1: [
    [1, 11, 21],
    [2, 12, 22],
  ],
  2: [
    [21, 11, 1],
    [22, 12, 2],
  ],
  3: [
    [22, 12, 2],
    [21, 11, 1],
  ],
  4: [
    [2, 12, 22],
    [1, 11, 21],
  ],
  5: [
    [1, 2],
    [11, 12],
    [21, 22],
  ],
  6: [
    [2, 1],
    [12, 11],
    [22, 21],
  ],
  7: [
    [22, 21],
    [12, 11],
    [2, 1],
  ],
  8: [
    [21, 22],
    [11, 12],
    [1, 2],
  ],
};

describe('applyOrientation', () => {
  it.each(Object.entries(expected))('orientation %s', (o, rows) => {
    const out = applyOrientation(stored(), Number(o) as Orientation);
    expect([out.width, out.height]).toEqual([rows[0]!.length, rows.length]);
    const reds = rows.map((_, y) => rows[0]!.map((_, x) => out.data[(y * out.width + x) * 4]));
    expect(reds).toEqual(rows);
    expect(out.data.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true);
  });

  it('works on views with an unaligned byte offset', () => {
    const backing = new Uint8ClampedArray(1 + 24);
    const view = backing.subarray(1);
    view.set(stored().data);
    const out = applyOrientation({ width: 3, height: 2, data: view }, 6);
    expect(out.data[0]).toBe(2);
  });
});
