/** Reading and formatting benchmark result JSON (`test/bench/results/<name>.json`) for BENCHMARKS.md. */

/** One result file's parsed JSON. */
export type Result = Record<string, unknown>;

/**
 * `v` when it is a finite number, else undefined.
 *
 * @example
 * ```ts
 * num(0.9); // 0.9
 * num('0.9'); // undefined
 * ```
 */
export const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

/**
 * The value at a dotted path (`msPerImage.compiled`), or undefined when any step is missing.
 *
 * @example
 * ```ts
 * get({ a: { b: 1 } }, 'a.b'); // 1
 * ```
 */
export const get = (r: Result | undefined, dotted: string): unknown =>
  dotted.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Result)[k] : undefined), r);

/**
 * A number with `digits` decimals and a unit, or `not measured`.
 *
 * @example
 * ```ts
 * fmt(86.62, 1, ' ms'); // '86.6 ms'
 * ```
 */
export const fmt = (v: unknown, digits = 1, unit = ''): string => {
  const n = num(v);
  return n === undefined ? 'not measured' : `${n.toFixed(digits)}${unit}`;
};
