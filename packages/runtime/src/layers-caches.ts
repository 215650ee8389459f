import * as tf from '#tfjs';

/** tfjs-layers' flag sizing the LRU caches of its graph executor (topologically sorted layers per fetch/feed set). */
const CACHE_FLAG = 'TOPOLOGICAL_SORT_CACHE_MAX_ENTRIES';

/**
 * Empties tfjs-layers' graph-executor caches. They keep up to 100 sorted execution plans, each holding the
 * `SymbolicTensor`s — and through them every layer and variable object — of a model it ran, keyed by tensor names
 * that are new for every model built or loaded: after a model is disposed its whole object graph stays reachable
 * until 100 newer plans push it out (about 1 MB of JS heap per MobileNetV2-based model). Call it after disposing
 * models; the models still in use re-sort their graph once on their next call.
 *
 * @example
 * ```ts
 * model.dispose();
 * releaseLayersGraphs();
 * ```
 */
export function releaseLayersGraphs(): void {
  const env = tf.env();
  const entries = env.getNumber(CACHE_FLAG);
  env.set(CACHE_FLAG, 0);
  env.set(CACHE_FLAG, entries);
}
