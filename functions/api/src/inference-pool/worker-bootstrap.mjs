// Inference worker-thread entry: Graft ships TypeScript sources, so the worker registers tsx before importing its module.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
