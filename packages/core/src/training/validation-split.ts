import { shuffledIndices } from './random.js';
import type { Labels } from './types.js';

/**
 * Splits sample indexes into training and validation parts, stratified by class: each class gives
 * `round(fraction · count)` samples (at least one when it has two or more) to validation.
 *
 * @example
 * ```ts
 * const { train, val } = stratifiedSplit(labels, 0.2, seededRandom(7));
 * ```
 */
export function stratifiedSplit(
  labels: Labels,
  fraction: number,
  rand: () => number,
): { train: Int32Array; val: Int32Array } {
  const order = shuffledIndices(labels.length, rand);
  const byClass = new Map<number, number[]>();
  for (const i of order) {
    const list = byClass.get(labels[i]!) ?? [];
    list.push(i);
    byClass.set(labels[i]!, list);
  }
  const train: number[] = [];
  const val: number[] = [];
  for (const list of byClass.values()) {
    let k = Math.round(fraction * list.length);
    if (k === 0 && list.length >= 2 && fraction > 0) k = 1;
    val.push(...list.slice(0, k));
    train.push(...list.slice(k));
  }
  train.sort((a, b) => a - b);
  val.sort((a, b) => a - b);
  return { train: Int32Array.from(train), val: Int32Array.from(val) };
}
