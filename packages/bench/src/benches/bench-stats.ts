import { type Flags, UsageError } from '@graft/cli';

/**
 * Median of a list of numbers (NaN for an empty list).
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: number[]): number {
  return percentile(values, 50);
}

/**
 * The p-th percentile (0–100) of a list of numbers, linear between ranks (NaN for an empty list).
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 50); // 2.5
 * ```
 */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/**
 * Geometric mean of positive numbers.
 *
 * @example
 * ```ts
 * geomean([2, 8]); // 4
 * ```
 */
export function geomean(values: number[]): number {
  return Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
}

/**
 * Rounds to `digits` significant decimals for JSON output (keeps results readable, never changes a ratio's sign).
 *
 * @example
 * ```ts
 * round(3.14159, 2); // 3.14
 * ```
 */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * A comma-separated list of positive integers (`--sizes 96,160`), or the fallback when absent.
 *
 * @example
 * ```ts
 * const sizes = listFlag(flags, 'sizes', [96, 160, 224]);
 * ```
 */
export function listFlag(flags: Flags, name: string, fallback: number[]): number[] {
  const value = flags[name];
  if (value === undefined) return fallback;
  const list = String(value)
    .split(',')
    .map((s) => Number(s.trim()));
  if (typeof value !== 'string' || list.length === 0 || list.some((n) => !Number.isInteger(n) || n <= 0))
    throw new UsageError(`--${name} expects comma-separated positive integers, got '${String(value)}'`);
  return list;
}
