import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../functions/api/src/index.js';
import { createLambdaHandler } from '../../../functions/api/src/lambda.js';
import { grayPng, MemoryJobs, MemoryModelSource, RecordingRunner, TOKEN } from './fakes.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const fixture = async <T>(name: string): Promise<T> =>
  JSON.parse(await readFile(join(FIXTURES, name), 'utf8')) as T;

type V2Event = LambdaEvent & { body: string; headers: Record<string, string>; isBase64Encoded: boolean };

function lambdaApp() {
  const models = new MemoryModelSource().add('digits', 1, { serve: true });
  return createLambdaHandler(
    createApp({ models, jobs: new MemoryJobs(), runner: new RecordingRunner(), token: TOKEN }),
  );
}

describe('Lambda entrypoint with API Gateway HTTP API (v2) events', () => {
  it('answers GET /v1/models', async () => {
    const handler = lambdaApp();
    const event = await fixture<V2Event>('apigw-v2-get-models.json');
    const res = await handler(event, await fixture<LambdaContext>('lambda-context.json'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-request-id']).toBe('JKJaXmPLvHcESHB='); // API Gateway's requestContext.requestId
    expect(JSON.parse(res.body)).toEqual({
      models: [{ name: 'digits', servingVersion: 1, latestVersion: 1 }],
    });
  });

  it('classifies a base64-encoded binary body (isBase64Encoded) with query parameters', async () => {
    const handler = lambdaApp();
    const png = await grayPng(230);
    const event = await fixture<V2Event>('apigw-v2-predict.json');
    event.body = Buffer.from(png).toString('base64');
    event.headers['content-length'] = String(png.length);
    const res = await handler(event, await fixture<LambdaContext>('lambda-context.json'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe('apigw-req-0001');
    const body = JSON.parse(res.body) as {
      predictions: Array<{ label: string }>;
      unknown: boolean;
      version: number;
    };
    expect(body.predictions).toEqual([{ label: 'light', score: expect.closeTo(230 / 255, 5) }]);
    expect(body.unknown).toBe(false);
    expect(body.version).toBe(1);
  });

  it('answers 401 in the JSON error shape without a token', async () => {
    const handler = lambdaApp();
    const event = await fixture<V2Event>('apigw-v2-get-models.json');
    delete event.headers.authorization;
    const res = await handler(event);
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'unauthorized' } });
  });
});
