/**
 * An inference worker thread: loads one copy of the model version from the files it is given, warms it up, then
 * classifies the batches the request thread sends it (decoding included), one at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadBundle } from '@graft/core/serving';
import { initBackend } from '@graft/runtime';
import { classifyBatch, servedMeta, warmBundle } from '../bundle-model.js';
import type { VersionFiles } from '../model-source.js';
import { type BatchMessage, settledToWire, toWire, type WorkerReply } from './messages.js';

const port = parentPort;
if (!port) throw new Error('pool-worker.ts must run in a worker thread');
const reply = (message: WorkerReply) => port.postMessage(message);

try {
  await initBackend();
  const bundle = await loadBundle((workerData as { files: VersionFiles }).files);
  await warmBundle(bundle);
  port.on('message', async ({ id, requests }: BatchMessage) => {
    try {
      reply({ id, outcomes: settledToWire(await classifyBatch(bundle, requests)) });
    } catch (error) {
      reply({ id, error: toWire(error) });
    }
  });
  reply({ ready: true, meta: servedMeta(bundle) });
} catch (error) {
  reply({ failed: toWire(error) });
}
