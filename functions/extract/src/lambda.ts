/**
 * AWS Lambda entrypoint of the extract function: SQS batches of S3 object-created notifications → features.
 * Clients, backend and trunks are created once per container.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { createExtractDeps } from '@graft/extraction';
import { initBackend } from '@graft/runtime';
import { S3BlobStore } from '@graft/storage';
import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createExtractHandler } from './handler.js';

const bucket = process.env.GRAFT_BUCKET;
if (!bucket) throw new Error('GRAFT_BUCKET is not set');
const client = new S3Client(
  process.env.GRAFT_S3_ENDPOINT ? { endpoint: process.env.GRAFT_S3_ENDPOINT, forcePathStyle: true } : {},
);
const backend = initBackend();
const handle = createExtractHandler(createExtractDeps(new S3BlobStore(client, bucket)));

/** The Lambda handler (SQS event source with ReportBatchItemFailures, or direct S3 notifications). */
export async function handler(event: SQSEvent | S3Event): Promise<SQSBatchResponse> {
  await backend;
  return handle(event);
}
