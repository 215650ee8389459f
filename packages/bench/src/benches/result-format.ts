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

/**
 * A scenario strategy row's label: its name, and `k=` for freeze-k.
 *
 * @example
 * ```ts
 * strategyLabel({ name: 'freeze-k', k: 2 }); // 'freeze-k k=2'
 * ```
 */
export const strategyLabel = (row: Result): string =>
  `${row.name}${row.k !== undefined ? ` k=${row.k}` : ''}`;

/**
 * Whether a strategy row of a scenario cell is the cell's best (by name, and by mean when recorded).
 *
 * @example
 * ```ts
 * isBestRow({ best: { name: 'scratch', mean: 0.9 } }, { name: 'scratch', mean: 0.9 }); // true
 * ```
 */
export function isBestRow(cell: Result, row: Result): boolean {
  const best = get(cell, 'best');
  const name = typeof best === 'string' ? best : get(cell, 'best.name');
  const mean = get(cell, 'best.mean');
  return (name === strategyLabel(row) || name === row.name) && (mean === undefined || mean === row.mean);
}

/**
 * Whether a strategy row of a scenario cell is the advisor's pick (freeze-k rows told apart by k).
 *
 * @example
 * ```ts
 * isAdvisorPick({ advisor: { strategy: 'freeze-k', k: 4 } }, { name: 'freeze-k', k: 4 }); // true
 * ```
 */
export function isAdvisorPick(cell: Result, row: Result): boolean {
  const k = get(cell, 'advisor.k');
  return (
    get(cell, 'advisor.strategy') === row.name && (k === undefined || row.k === undefined || k === row.k)
  );
}
