import { tf } from '@graft/runtime';

/**
 * Copies of a set of layer weights, to restore the best epoch.
 *
 * @example
 * ```ts
 * const best: WeightsSnapshot = snapshotWeights(model.weights);
 * ```
 */
export interface WeightsSnapshot {
  restore(): void;
  dispose(): void;
}

/**
 * Copies the current values of `weights` (trainable and not, e.g. BatchNormalization moving statistics).
 *
 * @example
 * ```ts
 * const best = snapshotWeights(model.weights);
 * // ... train ...
 * best.restore(); best.dispose();
 * ```
 */
export function snapshotWeights(weights: tf.LayerVariable[]): WeightsSnapshot {
  const copies = weights.map((w) => tf.keep(w.read().clone()));
  return {
    restore() {
      weights.forEach((w, i) => {
        w.write(copies[i]!);
      });
    },
    dispose() {
      for (const c of copies) c.dispose();
    },
  };
}

/**
 * The distinct weights of several models (layers may be shared between them).
 *
 * @example
 * ```ts
 * const all = uniqueWeights([upper, head]);
 * ```
 */
export function uniqueWeights(models: (tf.LayersModel | null)[], trainableOnly = false): tf.LayerVariable[] {
  const seen = new Set<tf.LayerVariable>();
  for (const m of models) {
    if (!m) continue;
    for (const w of trainableOnly ? m.trainableWeights : m.weights) seen.add(w);
  }
  return [...seen];
}
