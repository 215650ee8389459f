/**
 * One name rule: every name and key the API accepts, storage accepts too. Names and keys storage would refuse are
 * 400s at the API (never a 500, never a job that fails at publish), checked against the real bucket.
 */
import { names } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoreApp } from '../../../functions/api/src/index.js';
import { jsonDepth, MAX_JSON_DEPTH } from '../../../functions/api/src/json-depth.js';
import { startTestS3, type TestS3 } from '../../storage/local-s3-fixture.js';
import { auth, RecordingRunner, TOKEN } from './fakes.js';

let s3: TestS3;
let app: ReturnType<typeof createStoreApp>;
const runner = new RecordingRunner();
const json = { ...auth, 'content-type': 'application/json' };

beforeAll(async () => {
  s3 = await startTestS3();
  app = createStoreApp(s3.store, { runner, token: TOKEN });
});
afterAll(async () => s3?.close());

async function expect400(res: Response): Promise<string> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(res.status, JSON.stringify(body)).toBe(400);
  expect(body.error.code).toMatch(/^invalid_/);
  return body.error.message;
}

const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('names the API refuses with 400, as storage would', () => {
  it.each(['a..', 'a'.repeat(128), 'a'.repeat(65), '.hidden', '-x', 'a%20b'])(
    'GET /v1/models/%s',
    async (name) => {
      expect(names.nameProblem(decodeURIComponent(name))).toBeDefined();
      await expect400(await app.request(`/v1/models/${name}`, { headers: auth }));
    },
  );

  it('accepts a 64-character name (404: it does not exist)', async () => {
    const res = await app.request(`/v1/models/${'a'.repeat(64)}`, { headers: auth });
    expect(res.status).toBe(404);
  });

  it.each([
    'datasets//etc/passwd',
    `datasets/${'x'.repeat(300)}`,
    `datasets/${'é'.repeat(101)}`,
    'datasets/a/../../etc/passwd',
    'datasets/a/',
  ])('s3Key %s', async (s3Key) => {
    const message = await expect400(
      await app.request('/v1/models/m/predict', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ s3Key }),
      }),
    );
    expect(message).toMatch(/s3Key/);
  });

  it.each([
    [{ dataset: 'd', model: 'a..' }, /model/],
    [{ dataset: 'x'.repeat(65), model: 'm' }, /dataset/],
  ])('POST /v1/trainings %j writes no record', async (body, field) => {
    const message = await expect400(
      await app.request('/v1/trainings', { method: 'POST', headers: json, body: JSON.stringify(body) }),
    );
    expect(message).toMatch(field);
    expect(runner.submitted).toEqual([]);
    const jobs = [];
    for await (const info of s3.store.list('jobs/')) jobs.push(info.key);
    expect(jobs).toEqual([]);
  });

  it.each([
    ['/v1/trainings', `{"dataset":"d","model":"m","options":{"x":${nested(200_000)}}}`],
    ['/v1/models/m/predict', `{"s3Key":"datasets/a","x":${nested(200_000)}}`],
    ['/v1/backbones', `[${nested(MAX_JSON_DEPTH)}]`],
  ])('a body nested past the limit to %s', async (path, body) => {
    const message = await expect400(await app.request(path, { method: 'POST', headers: json, body }));
    expect(message).toMatch(/nested deeper/);
  });
});

describe('jsonDepth', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(jsonDepth('1')).toBe(0);
    expect(jsonDepth('{"a":[{"b":"[[[{{"}]}')).toBe(3);
    expect(jsonDepth('{"a":"\\"[[["}')).toBe(1);
    expect(jsonDepth(nested(MAX_JSON_DEPTH))).toBe(MAX_JSON_DEPTH);
  });
});
