import type { DatasetIndex, Upload } from './dataset-index.js';

/** Uploads grouped by split. */
export type Splits = Record<Upload['split'], Upload[]>;

/**
 * Groups uploads by split, keeping their order.
 *
 * @example
 * ```ts
 * const { train, val, test } = bySplit(index.uploads);
 * ```
 */
export function bySplit(uploads: Upload[]): Splits {
  const out: Splits = { train: [], val: [], test: [] };
  for (const u of uploads) out[u.split].push(u);
  return out;
}

/**
 * How many uploads each split holds per label (the `counts` of the job result and report).
 *
 * @example
 * ```ts
 * countsBySplit(index); // { train: { cat: 80, dog: 80 }, val: { cat: 10, dog: 10 }, test: { cat: 10, dog: 10 } }
 * ```
 */
export function countsBySplit(index: DatasetIndex): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = { train: {}, val: {}, test: {} };
  for (const u of index.uploads) out[u.split]![u.label] = (out[u.split]![u.label] ?? 0) + 1;
  return out;
}

/**
 * Maps uploads to their class indexes (the position of their label in `labels`).
 *
 * @example
 * ```ts
 * const toLabels = labelIndexer(index.labels);
 * const y = toLabels(prepared.train.uploads); // [0, 0, 1, …]
 * ```
 */
export function labelIndexer(labels: string[]): (uploads: Upload[]) => number[] {
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  return (uploads) => uploads.map((u) => labelIndex.get(u.label)!);
}
