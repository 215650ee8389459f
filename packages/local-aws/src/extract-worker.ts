/** Worker thread of the local extraction pool: runs the extract Lambda handler on SQS-shaped batches. */
import { createExtractDeps } from '@graft/extraction';
import { createExtractHandler } from '@graft/fn-extract';
import { initBackend } from '@graft/runtime';
import { S3BlobStore } from '@graft/storage';
import type { ExtractBatchResult } from './extract-worker-entry.js';
import type { QueueMessage } from './local-queue.js';
import { type S3Connection, s3ClientFor } from './s3-connection.js';
import { toSqsEvent } from './sqs-shape.js';
import { serveWorker } from './worker-side.js';

await serveWorker<{ s3: S3Connection }, QueueMessage[], ExtractBatchResult>(async ({ s3 }) => {
  await initBackend();
  const store = new S3BlobStore(s3ClientFor(s3), s3.bucket);
  let outcomes: ExtractBatchResult['outcomes'] = [];
  const handler = createExtractHandler(createExtractDeps(store), (entry) => {
    const kind = String(entry.msg);
    if (['extracted', 'duplicate', 'rejected', 'ignored'].includes(kind)) {
      outcomes.push({ kind, key: String(entry.key), ...(entry.code ? { code: String(entry.code) } : {}) });
    }
  });
  return async (messages) => {
    outcomes = [];
    const response = await handler(toSqsEvent(messages));
    return { batchItemFailures: response.batchItemFailures, outcomes };
  };
});
