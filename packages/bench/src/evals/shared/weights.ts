import { tf } from '@graft/runtime';

/**
 * Copies a model's weights so that training that updates them in place (freeze-k, fine-tune share the source's
 * layers) can be undone: `restore()` writes the copies back and frees them.
 *
 * @example
 * ```ts
 * const restore = snapshotWeights(backbone.model);
 * await train({ strategy: 'fine-tune', backbone, images, labels, classNames });
 * restore();
 * ```
 */
export function snapshotWeights(model: tf.LayersModel): () => void {
  const copies = model.getWeights().map((w) => w.clone());
  return () => {
    model.setWeights(copies);
    tf.dispose(copies);
  };
}

/**
 * Frees the weights of `models` except those shared with `keep` (e.g. a run's new head and re-initialised layers,
 * but not the source model they were built on). Returns how many weights were freed.
 *
 * @example
 * ```ts
 * disposeWeightsExcept([result.model, result.head, result.inference], [source.model]);
 * ```
 */
export function disposeWeightsExcept(
  models: (tf.LayersModel | undefined)[],
  keep: (tf.LayersModel | undefined)[],
): number {
  const kept = new Set(keep.flatMap((m) => m?.weights ?? []).map((w) => w.id));
  let freed = 0;
  for (const model of models) {
    for (const weight of model?.weights ?? []) {
      if (kept.has(weight.id)) continue;
      kept.add(weight.id);
      weight.dispose();
      freed++;
    }
  }
  return freed;
}
