/**
 * A model version served by a small pool of worker threads (Node only): each thread holds its own copy of the
 * model and decodes and classifies whole batches; the request thread only parses HTTP and forms the batches
 * ({@link DynamicBatcher} with one runner per thread).
 */
import os from 'node:os';
import { DynamicBatcher } from '../dynamic-batcher.js';
import { ConfigError } from '../errors.js';
import type { VersionFiles } from '../model-source.js';
import type { ClassifyRequest, LoadedModel } from '../ports.js';
import { InferenceThread } from './inference-thread.js';

/**
 * Options of {@link startPoolModel}.
 *
 * @example
 * ```ts
 * const options: PoolModelOptions = { threads: 2, maxBatchSize: 16 };
 * ```
 */
export interface PoolModelOptions {
  /** Worker threads, each with a copy of the model (at least 1). */
  threads: number;
  /** Most concurrent predictions run as one batch on one thread (default `DEFAULT_MAX_BATCH_SIZE`, 8). */
  maxBatchSize?: number;
}

/**
 * Starts `threads` worker threads on a version's files and resolves when all of them have loaded and warmed up
 * their copy; if one cannot, all are stopped and the load fails.
 *
 * @example
 * ```ts
 * const model = await startPoolModel(await registry.readBundleFiles('digits', 3), { threads: 2 });
 * const { predictions } = await model.classify(jpegBytes, { topK: 3 });
 * model.dispose();
 * ```
 */
export async function startPoolModel(files: VersionFiles, options: PoolModelOptions): Promise<LoadedModel> {
  const threads = Array.from(
    { length: Math.max(1, Math.floor(options.threads)) },
    () => new InferenceThread(files),
  );
  let meta: Record<string, unknown>;
  try {
    [meta] = (await Promise.all(threads.map((t) => t.ready))) as [Record<string, unknown>];
  } catch (error) {
    await Promise.all(threads.map((t) => t.close()));
    throw error;
  }
  const free = [...threads];
  const batcher = new DynamicBatcher(
    async (requests: ClassifyRequest[]) => {
      // The batcher runs at most one batch per thread, so a free thread is always there.
      const thread = free.pop()!;
      try {
        return await thread.run(requests);
      } finally {
        free.push(thread);
      }
    },
    { maxBatchSize: options.maxBatchSize, runners: threads.length },
  );
  return {
    meta,
    decodesBytes: true,
    classify: (image, classifyOptions) => batcher.submit({ image, options: classifyOptions }),
    dispose(): void {
      for (const t of threads) void t.close();
    },
  };
}

/**
 * Inference threads from a setting: a count, `auto`, or 0/empty for none (inference on the request thread). `auto`
 * is one per CPU this process may use minus one for the request thread (HTTP, batching), and at least one: on 2 cores
 * one inference thread served more than two (`graft bench api`, BENCHMARKS.md), since a second one takes its core
 * from the request thread.
 *
 * @example
 * ```ts
 * inferenceThreadCount('auto'); // 1 on a 2-core machine, 3 on 4 cores
 * inferenceThreadCount('0'); // 0
 * ```
 */
export function inferenceThreadCount(setting: string | number | undefined): number {
  if (setting === undefined || setting === '') return 0;
  if (setting === 'auto') return Math.max(1, os.availableParallelism() - 1);
  const n = Number(setting);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(`inference threads must be 'auto' or a count ≥ 0, got '${setting}'`);
  return n;
}
