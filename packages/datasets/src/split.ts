import { createHash } from 'node:crypto';
import { InvalidDatasetError } from './errors.js';
import type { Split } from './names.js';

/** Fractions of samples per split; they must be ≥ 0 and sum to 1. */
export interface SplitFractions {
  train: number;
  val: number;
  test: number;
}

/** 80 % train, 10 % validation, 10 % test. */
export const DEFAULT_SPLIT_FRACTIONS: Readonly<SplitFractions> = Object.freeze({
  train: 0.8,
  val: 0.1,
  test: 0.1,
});

/**
 * Checks split fractions (each finite and ≥ 0, sum 1 within 1e-9) and returns them.
 *
 * @example
 * ```ts
 * assertSplitFractions({ train: 0.7, val: 0.15, test: 0.15 });
 * ```
 */
export function assertSplitFractions(fractions: SplitFractions): SplitFractions {
  const values = [fractions?.train, fractions?.val, fractions?.test];
  if (!values.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
    throw new InvalidDatasetError(
      `split fractions must be finite numbers ≥ 0, got ${JSON.stringify(fractions)}`,
    );
  }
  const sum = values.reduce((a, b) => a! + b!, 0)!;
  if (Math.abs(sum - 1) > 1e-9) {
    throw new InvalidDatasetError(`split fractions must sum to 1, got ${sum} (${JSON.stringify(fractions)})`);
  }
  return fractions;
}

/**
 * Position of a key or content in [0, 1): the first 52 bits of its SHA-256, as a fraction. Uniform and
 * identical on every machine and run.
 *
 * @example
 * ```ts
 * hashUnit('cat/001.jpg'); // 0.63… (always the same)
 * ```
 */
export function hashUnit(keyOrContent: string | Uint8Array): number {
  const digest = createHash('sha256').update(keyOrContent).digest();
  // 52 bits: 4 bytes + 20 bits, exactly representable in a double.
  const high = digest.readUInt32BE(0);
  const low = digest.readUInt32BE(4) >>> 12;
  return (high * 2 ** 20 + low) / 2 ** 52;
}

/**
 * Deterministic split assignment by hash: SHA-256 of a file name (or of the file's bytes, so duplicates
 * always land in the same split) mapped to [0, 1) and compared with the cumulative fractions
 * (train, then val, then test). Stable across runs and machines; adding samples never moves old ones.
 *
 * @example
 * ```ts
 * splitFor('cat/001.jpg'); // 'train' | 'val' | 'test', always the same for this name
 * splitFor(bytes, { train: 0.9, val: 0.1, test: 0 });
 * ```
 */
export function splitFor(
  keyOrContent: string | Uint8Array,
  fractions: SplitFractions = DEFAULT_SPLIT_FRACTIONS,
): Split {
  assertSplitFractions(fractions);
  const u = hashUnit(keyOrContent);
  if (u < fractions.train) return 'train';
  if (u < fractions.train + fractions.val) return 'val';
  // Guard against a zero test fraction with rounding in train + val < 1.
  if (fractions.test === 0) return fractions.val > 0 ? 'val' : 'train';
  return 'test';
}
