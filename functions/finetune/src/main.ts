/**
 * Batch job entrypoint: `node main.js --job <id>` (or GRAFT_JOB_ID). Uses the `tensorflow` backend when
 * tfjs-node-gpu / tfjs-node can be imported (the GPU container), otherwise WASM. Exit code 0 when the job
 * succeeded, 1 when it failed (its record says why), 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { initBackend } from '@graft/runtime';
import { S3BlobStore } from '@graft/storage';
import { runJob } from './run-job.js';

const { values } = parseArgs({ options: { job: { type: 'string' } }, strict: true });
const jobId = values.job ?? process.env.GRAFT_JOB_ID;
const bucket = process.env.GRAFT_BUCKET;
if (!jobId || !bucket) {
  process.stderr.write('usage: main --job <id> (or GRAFT_JOB_ID), with GRAFT_BUCKET set\n');
  process.exit(2);
}
const backend = await initBackend();
const log = (entry: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(entry)}\n`);
log({ level: 'info', msg: 'job starting', jobId, backend });
const client = new S3Client(
  process.env.GRAFT_S3_ENDPOINT ? { endpoint: process.env.GRAFT_S3_ENDPOINT, forcePathStyle: true } : {},
);
// The job definition sets GRAFT_JOB_MAX_SECONDS below Batch's own timeout, so the job records why it stopped.
const maxSeconds = Number(process.env.GRAFT_JOB_MAX_SECONDS) || undefined;
const record = await runJob(jobId, { store: new S3BlobStore(client, bucket), log, maxSeconds });
log({
  level: record.status === 'succeeded' ? 'info' : 'error',
  msg: `job ${record.status}`,
  jobId,
  result: record.result,
  error: record.error,
});
process.exit(record.status === 'succeeded' ? 0 : 1);
