/**
 * A model version that serves at once on the request thread while its inference threads start (each loads tsx,
 * tfjs and its own copy of the model: seconds), then hands over to them; the request-thread copy is disposed when its
 * last batch is done. A start-up does not wait for the threads, and a version whose threads cannot start keeps
 * serving on the request thread.
 */
import { loadBundle } from '@graft/core/serving';
import { initBackend } from '@graft/runtime';
import { bundleModel } from '../bundle-model.js';
import type { VersionFiles } from '../model-source.js';
import type { LoadedModel } from '../ports.js';
import { type PoolModelOptions, startPoolModel } from './pool-model.js';

/**
 * What {@link startWarmingModel} returns: a model, and when its threads took over (`true`) or could not (`false`).
 *
 * @example
 * ```ts
 * const model = await startWarmingModel(files, { threads: 1 });
 * await model.threadsReady; // true once the worker threads serve
 * ```
 */
export type WarmingModel = LoadedModel & { threadsReady: Promise<boolean> };

/**
 * Loads the version on this thread (ready to serve) and starts its inference threads in the background.
 *
 * @example
 * ```ts
 * const model = await startWarmingModel(await registry.readBundleFiles('digits', 3), { threads: 1 });
 * const { predictions } = await model.classify(jpegBytes, { topK: 3 }); // on this thread or a worker
 * model.dispose();
 * ```
 */
export async function startWarmingModel(
  files: VersionFiles,
  options: PoolModelOptions,
): Promise<WarmingModel> {
  await initBackend();
  const local = bundleModel(await loadBundle(files), { maxBatchSize: options.maxBatchSize });
  let pool: LoadedModel | undefined;
  let inFlightLocally = 0;
  let disposed = false;
  let localDisposed = false;
  const releaseLocal = () => {
    if (localDisposed || !(pool || disposed) || inFlightLocally > 0) return;
    localDisposed = true;
    local.dispose();
  };
  const threadsReady = startPoolModel(files, options).then(
    (started) => {
      if (disposed) {
        started.dispose();
        return false;
      }
      pool = started;
      releaseLocal();
      return true;
    },
    (error: unknown) => {
      console.error(
        JSON.stringify({
          level: 'warn',
          msg: 'inference threads could not start; serving on the request thread',
          error: error instanceof Error ? error.message : String(error),
        }),
      );
      return false;
    },
  );
  return {
    meta: local.meta,
    decodesBytes: true,
    threadsReady,
    async classify(image, classifyOptions) {
      if (pool) return pool.classify(image, classifyOptions);
      inFlightLocally++;
      try {
        return await local.classify(image, classifyOptions);
      } finally {
        inFlightLocally--;
        releaseLocal();
      }
    },
    warmup: () => local.warmup?.() ?? Promise.resolve(),
    dispose(): void {
      if (disposed) return;
      disposed = true;
      pool?.dispose();
      releaseLocal();
    },
  };
}
