// The local stand-ins for AWS: S3 (the embedded server from @graft/storage) wired to an SQS-like queue, a pool of
// extraction worker threads running the extract Lambda's handler, and a job runner running the Batch job's code.
export { EXTRACT_WORKER_ENTRY, type ExtractBatchResult } from './extract-worker-entry.js';
export { LocalJobRunner } from './local-job-runner.js';
export { type BatchResult, LocalQueue, type LocalQueueOptions, type QueueMessage } from './local-queue.js';
export {
  type FanOutStats,
  type Runtime,
  type RuntimeMemory,
  type RuntimeOptions,
  startRuntime,
} from './local-runtime.js';
export { type S3Connection, s3ClientFor } from './s3-connection.js';
export { toSqsEvent } from './sqs-shape.js';
export { type FromWorker, type ToWorker, WorkerPool, type WorkerPoolOptions } from './worker-pool.js';
export { serveWorker } from './worker-side.js';
