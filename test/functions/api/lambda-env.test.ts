/**
 * The deployed Lambda handler, configured only through environment variables, against the embedded S3:
 * real registry, real bundle, real API Gateway HTTP API (v2) events, AWS Batch mocked at the SDK level.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchClient, SubmitJobCommand } from '@aws-sdk/client-batch';
import { type LocalS3, ModelRegistry, S3BlobStore, startLocalS3 } from '@graft/storage';
import { mockClient } from 'aws-sdk-client-mock';
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/api/src/lambda.js';
import { grayPng, TOKEN } from './fakes.js';
import { tinyBundleFiles } from './tiny-bundle.js';

type V2Event = LambdaEvent & {
  rawPath: string;
  rawQueryString: string;
  body?: string;
  headers: Record<string, string>;
  isBase64Encoded: boolean;
  requestContext: { http: { method: string; path: string } };
};

const FIXTURES = join(import.meta.dirname, 'fixtures');
const fixture = async <T>(name: string): Promise<T> =>
  JSON.parse(await readFile(join(FIXTURES, name), 'utf8')) as T;
const batch = mockClient(BatchClient);
let s3: LocalS3;
let dir: string;
let store: S3BlobStore;
let context: LambdaContext;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'graft-api-lambda-'));
  s3 = await startLocalS3({ dir, bucket: 'graft-lambda' });
  store = new S3BlobStore(s3.client, s3.bucket);
  const files = await tinyBundleFiles(1);
  await new ModelRegistry(store).publish('tiny', { ...files, report: { accuracy: 1 } });
  Object.assign(process.env, {
    GRAFT_BUCKET: s3.bucket,
    GRAFT_S3_ENDPOINT: s3.endpoint,
    GRAFT_MODEL_NAME: 'tiny',
    GRAFT_JOB_QUEUE: 'graft-gpu',
    GRAFT_JOB_DEFINITION: 'graft-finetune:1',
    GRAFT_API_TOKEN: TOKEN,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
  });
  context = await fixture<LambdaContext>('lambda-context.json');
});

afterAll(async () => {
  batch.restore();
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('lambda.handler from the environment', () => {
  it('classifies a binary upload with the serving version from the registry', async () => {
    const event = await fixture<V2Event>('apigw-v2-predict.json');
    const png = await grayPng(25, 16);
    event.rawPath = '/v1/models/tiny/predict';
    event.requestContext.http.path = event.rawPath;
    event.body = Buffer.from(png).toString('base64');
    event.headers['content-length'] = String(png.length);
    const res = await handler(event, context);
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body) as {
      model: string;
      version: number;
      predictions: Array<{ label: string }>;
    };
    expect(body).toMatchObject({ model: 'tiny', version: 1, predictions: [{ label: 'dark' }] });
    expect(res.headers['strict-transport-security']).toBeDefined();
  });

  it('reports readiness of GRAFT_MODEL_NAME', async () => {
    const event = await fixture<V2Event>('apigw-v2-get-models.json');
    event.rawPath = '/ready';
    event.requestContext.http.path = '/ready';
    delete event.headers.authorization;
    const res = await handler(event, context);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({
      ready: true,
      defaultModel: 'tiny',
      models: [{ version: 1 }],
    });
  });

  it('records a training job in the bucket and submits it to the configured Batch queue', async () => {
    batch.on(SubmitJobCommand).resolves({ jobId: 'b-1', jobName: 'x' });
    const event = await fixture<V2Event>('apigw-v2-get-models.json');
    event.rawPath = '/v1/trainings';
    event.requestContext.http = { ...event.requestContext.http, method: 'POST', path: '/v1/trainings' };
    event.headers['content-type'] = 'application/json';
    event.body = JSON.stringify({ dataset: 'digits', model: 'tiny', strategy: 'auto' });
    const res = await handler(event, context);
    expect(res.statusCode).toBe(202);
    const { id } = JSON.parse(res.body) as { id: string };
    expect(await store.head(`jobs/${id}.json`)).toBeDefined();
    const input = batch.commandCalls(SubmitJobCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      jobQueue: 'graft-gpu',
      jobDefinition: 'graft-finetune:1',
      parameters: { jobId: id },
    });
  });
});
