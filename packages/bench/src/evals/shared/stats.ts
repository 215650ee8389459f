/**
 * Mean and sample standard deviation (n − 1; 0 for a single value).
 *
 * @example
 * ```ts
 * meanSd([0.9, 0.92, 0.94]); // { mean: 0.92, sd: 0.02 }
 * ```
 */
export function meanSd(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const ss = xs.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, sd: xs.length > 1 ? Math.sqrt(ss / (xs.length - 1)) : 0 };
}

/**
 * Rounds a number to `digits` decimals (for compact JSON results).
 *
 * @example
 * ```ts
 * round(0.912345); // 0.9123
 * ```
 */
export function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
