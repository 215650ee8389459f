import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './worker-pool.js';

/**
 * The worker half of {@link WorkerPool}: runs `init` once (load models, build clients), reports ready,
 * then answers every task with `handle`.
 *
 * @example
 * ```ts
 * await serveWorker(async (config) => {
 *   const handler = await createHandler(config);
 *   return (task) => handler(task);
 * });
 * ```
 */
export async function serveWorker<C, T, R>(
  init: (config: C) => Promise<(task: T) => Promise<R>>,
): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('serveWorker must run inside a worker thread');
  const handle = await init(workerData.config as C);
  // imported here, not at the top: this module is exported by @graft/local-aws, whose importers (graft start) must not
  // load tfjs before they listen; a worker has loaded it by now anyway
  const { memorySample } = await import('@graft/runtime');
  port.on('message', async (message: ToWorker<T>) => {
    if ('memory' in message) {
      const sample = memorySample({ collect: message.collect });
      port.postMessage({ memory: message.memory, sample } satisfies FromWorker<R>);
      return;
    }
    const { id, task } = message;
    let reply: FromWorker<R>;
    try {
      reply = { id, ok: true, result: await handle(task) };
    } catch (error) {
      reply = {
        id,
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true } satisfies FromWorker<R>);
}
