/** Worker thread of the local job runner: runs one training job at a time, off the API's event loop. */
import { runJob } from '@graft/fn-finetune';
import type { JobStatus } from '@graft/jobs';
import { initBackend } from '@graft/runtime';
import { S3BlobStore } from '@graft/storage';
import { type S3Connection, s3ClientFor } from './s3-connection.js';
import { serveWorker } from './worker-side.js';

await serveWorker<{ s3: S3Connection; maxJobSeconds?: number }, string, { status: JobStatus }>(
  async ({ s3, maxJobSeconds }) => {
    await initBackend();
    const store = new S3BlobStore(s3ClientFor(s3), s3.bucket);
    return async (jobId) => {
      const record = await runJob(jobId, { store, maxSeconds: maxJobSeconds });
      return { status: record.status };
    };
  },
);
