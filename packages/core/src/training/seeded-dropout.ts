import type { tf } from '@graft/runtime';
import { seededRandom } from './random.js';

/** tfjs-layers classes whose training-mode masks come from their `seed` field (`tf.dropout(x, rate, shape, seed)`). */
const SEEDED_CLASSES = new Set(['Dropout', 'SpatialDropout1D']);

/** A dropout layer's seed field: private in the typings, read on every training-mode call. */
type SeedField = { seed?: number };

/**
 * Makes the dropout masks of a training run repeatable. tfjs draws an unseeded dropout mask from `Math.random`, so
 * two runs with the same `seed` option trained different heads (measured: the same feature-extraction job on the same
 * stored activations scored 0.936–0.960 on test); a fixed layer seed would repeat one mask on every batch. Before
 * each batch, `next()` gives every dropout layer of `models` (nested models included) a fresh seed from a stream
 * started at `seed`; `restore()` puts the layers' own seeds back (a saved model keeps its configuration).
 *
 * @example
 * ```ts
 * const masks = seedDropoutMasks([base, head], 1);
 * try {
 *   for (const batch of batches) { masks.next(); step(batch); }
 * } finally {
 *   masks.restore();
 * }
 * ```
 */
export function seedDropoutMasks(
  models: (tf.LayersModel | null)[],
  seed: number,
): { next(): void; restore(): void } {
  const layers = dropoutLayers(models);
  const own = layers.map((l) => l.seed);
  const rand = seededRandom(seed);
  return {
    next() {
      for (const layer of layers) layer.seed = Math.floor(rand() * 2 ** 31);
    },
    restore() {
      layers.forEach((layer, i) => {
        layer.seed = own[i];
      });
    },
  };
}

function dropoutLayers(models: (tf.LayersModel | null)[]): SeedField[] {
  const found = new Set<SeedField>();
  const visit = (layer: tf.layers.Layer) => {
    if (SEEDED_CLASSES.has(layer.getClassName())) found.add(layer as unknown as SeedField);
    const inner = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
    if (Array.isArray(inner)) for (const l of inner) visit(l);
  };
  for (const model of models) if (model) for (const layer of model.layers) visit(layer);
  return [...found];
}
