import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  DatasetUnavailableError,
  ensureFashionMnist,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_LABELS,
  fashionSamples,
  InvalidDatasetError,
  loadFashionMnist,
} from '@graft/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
let available = true;
let unavailableReason = '';

beforeAll(async () => {
  try {
    dir = await ensureFashionMnist();
  } catch (error) {
    if (!(error instanceof DatasetUnavailableError)) throw error;
    available = false;
    unavailableReason = error.message;
    console.warn(`\n!!! SKIPPING Fashion-MNIST tests: ${unavailableReason}\n`);
  }
});

function histogram(labels: number[]): number[] {
  const counts = new Array(10).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}

describe('loadFashionMnist (Debian dataset-fashion-mnist)', () => {
  it('ensureFashionMnist finds the installed IDX files', ({ skip }) => {
    if (!available) skip(unavailableReason);
    expect(dir).toBe('/usr/share/datasets/fashion-mnist');
  });

  it('loads 60,000 training images, 6,000 per class, 28×28 bytes', async ({ skip }) => {
    if (!available) skip(unavailableReason);
    const set = await loadFashionMnist({ split: 'train' });
    expect(set.images).toHaveLength(60_000);
    expect([set.width, set.height]).toEqual([28, 28]);
    expect(histogram(set.labels)).toEqual(new Array(10).fill(6000));
    expect(set.classNames).toEqual([...FASHION_MNIST_CLASSES]);
    expect(set.classNames[set.labels[0]!]).toBe('Ankle boot'); // the well-known first training image
    let max = 0;
    for (const image of set.images.slice(0, 1000)) {
      expect(image.length).toBe(784);
      for (const v of image) if (v > max) max = v;
    }
    expect(max).toBe(255);
  });

  it('loads 10,000 test images, 1,000 per class', async ({ skip }) => {
    if (!available) skip(unavailableReason);
    const set = await loadFashionMnist({ split: 'test' });
    expect(set.images).toHaveLength(10_000);
    expect(histogram(set.labels)).toEqual(new Array(10).fill(1000));
  });

  it('filters classes by index or name and applies the limit after filtering', async ({ skip }) => {
    if (!available) skip(unavailableReason);
    const set = await loadFashionMnist({
      split: 'test',
      classes: [0, 'Ankle boot', 'T-shirt-top'],
      limit: 50,
    });
    expect(set.images).toHaveLength(50);
    expect(new Set(set.labels)).toEqual(new Set([0, 9]));
    await expect(loadFashionMnist({ split: 'test', classes: ['Hat'] })).rejects.toThrow(InvalidDatasetError);
  });

  it('fashionSamples yields PNGs with key-safe labels and the source split (hashed val holdout)', async ({
    skip,
  }) => {
    if (!available) skip(unavailableReason);
    const test = [...(await fashionSamples({ split: 'test', limit: 20 }))];
    expect(test.every((s) => s.split === 'test')).toBe(true);
    expect(test.every((s) => FASHION_MNIST_LABELS.includes(s.label) && !s.label.includes('/'))).toBe(true);
    const train = [...(await fashionSamples({ split: 'train', limit: 2000, valFraction: 0.1 }))];
    const val = train.filter((s) => s.split === 'val').length;
    expect(val).toBeGreaterThan(140);
    expect(val).toBeLessThan(260);
    expect(new Set(train.map((s) => s.name)).size).toBe(2000);
  });
});

describe('ensureFashionMnist / loadFashionMnist with a custom folder', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'graft-fashion-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('throws DatasetUnavailableError for a folder without IDX files', async () => {
    await expect(ensureFashionMnist({ dir: tmp })).rejects.toMatchObject({
      name: 'DatasetUnavailableError',
      code: 'dataset_unavailable',
    });
    await expect(loadFashionMnist({ dir: tmp, split: 'train' })).rejects.toThrow(DatasetUnavailableError);
  });

  it('reads plain and gzip IDX files it is given', async () => {
    const n = 3;
    const images = new Uint8Array(16 + n * 4 * 5);
    images.set([0, 0, 8, 3, 0, 0, 0, n, 0, 0, 0, 4, 0, 0, 0, 5]);
    for (let i = 16; i < images.length; i++) images[i] = i & 0xff;
    const labels = Uint8Array.of(0, 0, 8, 1, 0, 0, 0, n, 9, 0, 4);
    await writeFile(join(tmp, 'train-images-idx3-ubyte'), images);
    await writeFile(join(tmp, 'train-labels-idx1-ubyte.gz'), gzipSync(labels));
    const set = await loadFashionMnist({ dir: tmp, split: 'train' });
    expect([set.width, set.height]).toEqual([5, 4]);
    expect(set.labels).toEqual([9, 0, 4]);
    expect(set.images[1]).toEqual(images.subarray(16 + 20, 16 + 40));
  });

  it('rejects label/image count mismatches and labels outside 0–9', async () => {
    const images = Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 7, 7);
    await writeFile(join(tmp, 't10k-images-idx3-ubyte'), images);
    await writeFile(join(tmp, 't10k-labels-idx1-ubyte'), Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 1, 3));
    await expect(loadFashionMnist({ dir: tmp, split: 'test' })).rejects.toThrow(/2 images but .* 1 labels/);
    await writeFile(join(tmp, 't10k-labels-idx1-ubyte'), Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 2, 3, 12));
    await expect(loadFashionMnist({ dir: tmp, split: 'test' })).rejects.toThrow(/label 12 at index 1/);
  });

  it('rejects a bad split', async () => {
    await expect(loadFashionMnist({ dir: tmp, split: 'val' as 'train' })).rejects.toThrow(
      InvalidDatasetError,
    );
  });
});
