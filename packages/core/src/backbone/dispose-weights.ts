import { releaseLayersGraphs, type tf } from '@graft/runtime';

/**
 * Frees the weights of models that share layers, each weight once. `LayersModel.dispose()` does not: it only
 * frees layers no other model references, and every `splitBackbone` trunk or upper model references them.
 * The models are unusable afterwards; tfjs-layers' executor caches, which would keep their object graphs
 * reachable, are emptied ({@link releaseLayersGraphs}). `skip`: ids of weights already freed (not freed twice).
 *
 * @example
 * ```ts
 * const { trunk } = splitBackbone(backbone, 'block_5_add');
 * disposeWeights([backbone.model, trunk]);
 * ```
 */
export function disposeWeights(
  models: (tf.LayersModel | undefined)[],
  options: { skip?: ReadonlySet<number> } = {},
): number {
  const seen = new Set<number>(options.skip);
  let freed = 0;
  for (const model of models) {
    for (const weight of model?.weights ?? []) {
      if (seen.has(weight.id)) continue;
      seen.add(weight.id);
      weight.dispose();
      freed++;
    }
  }
  releaseLayersGraphs();
  return freed;
}
