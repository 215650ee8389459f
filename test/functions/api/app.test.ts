import { describe, expect, it } from 'vitest';
import { createApp } from '../../../functions/api/src/index.js';
import { auth, MemoryJobs, MemoryModelSource, RecordingRunner, TOKEN } from './fakes.js';

function setup(options: { bodyLimitBytes?: number } = {}) {
  const models = new MemoryModelSource().add('digits', 1, { serve: true, metrics: { accuracy: 0.93 } });
  const jobs = new MemoryJobs();
  const runner = new RecordingRunner();
  const app = createApp({ models, jobs, runner, token: TOKEN, ...options });
  return { app, models, jobs, runner };
}

describe('auth', () => {
  it('rejects /v1 without a token, with a wrong token and with another scheme', async () => {
    const { app } = setup();
    const cases: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-token-0123456789' },
      { authorization: `Basic ${TOKEN}` },
    ];
    for (const headers of cases) {
      const res = await app.request('/v1/models', { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unauthorized');
      expect(body.error.message.length).toBeGreaterThan(0);
    }
  });

  it('rejects a token that only shares a prefix with the real one', async () => {
    const { app } = setup();
    const res = await app.request('/v1/models', { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(res.status).toBe(401);
  });

  it('accepts the right token and leaves /health open', async () => {
    const { app } = setup();
    expect((await app.request('/v1/models', { headers: auth })).status).toBe(200);
    expect(await (await app.request('/health')).json()).toEqual({ status: 'ok' });
  });

  it('refuses to build with an empty or short token', () => {
    const models = new MemoryModelSource();
    expect(() =>
      createApp({ models, jobs: new MemoryJobs(), runner: new RecordingRunner(), token: '' }),
    ).toThrow(/token/);
  });
});

describe('cross-cutting middleware', () => {
  it('sets a request id and echoes a client one', async () => {
    const { app } = setup();
    const generated = await app.request('/health');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await app.request('/health', { headers: { 'x-request-id': 'client-id-42' } });
    expect(echoed.headers.get('x-request-id')).toBe('client-id-42');
    const onError = await app.request('/v1/models', { headers: { 'x-request-id': 'err-7' } });
    expect(onError.status).toBe(401);
    expect(onError.headers.get('x-request-id')).toBe('err-7');
  });

  it('sets secure headers', async () => {
    const { app } = setup();
    const res = await app.request('/health');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('answers 413 payload_too_large above the body limit (declared length and streamed body)', async () => {
    const { app } = setup({ bodyLimitBytes: 1024 });
    const big = new Uint8Array(2048);
    const declared = await app.request('/v1/models/digits/predict', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'image/png', 'content-length': String(big.length) },
      body: big,
    });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new Uint8Array(512));
        controller.close();
      },
    });
    const streamed = await app.request('/v1/models/digits/predict', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'image/png' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const { app } = setup();
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/v1/nope'],
      ['DELETE', '/health'],
    ] as const) {
      const res = await app.request(path, { method, headers: auth });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        error: { code: 'not_found', message: `no route ${method} ${path}` },
      });
    }
  });

  it('maps schema violations and malformed JSON to 400 invalid_request', async () => {
    const { app } = setup();
    const cases: Array<[string, RequestInit]> = [
      ['/v1/models/digits/promote', { method: 'POST', body: JSON.stringify({ version: 'two' }) }],
      ['/v1/models/digits/promote', { method: 'POST', body: '{not json' }],
      ['/v1/models/bad%20name', { method: 'GET' }],
      [
        '/v1/trainings',
        { method: 'POST', body: JSON.stringify({ dataset: 'd', model: 'm', strategy: 'magic' }) },
      ],
      ['/v1/models/digits/predict?topK=0', { method: 'POST', body: JSON.stringify({ image: 'AAAA' }) }],
      ['/v1/models/digits/predict', { method: 'POST', body: JSON.stringify({}) }],
    ];
    for (const [path, init] of cases) {
      const res = await app.request(path, {
        ...init,
        headers: { ...auth, 'content-type': 'application/json' },
      });
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect({ path, status: res.status, code: body.error.code }).toEqual({
        path,
        status: 400,
        code: 'invalid_request',
      });
    }
  });
});

describe('/ready', () => {
  it('is ready without a default model, and 503 with the reason while the default model cannot serve', async () => {
    const { app, models } = setup();
    expect(await (await app.request('/ready')).json()).toEqual({ ready: true, models: [] });
    const strict = createApp({
      models,
      jobs: new MemoryJobs(),
      runner: new RecordingRunner(),
      token: TOKEN,
      defaultModel: 'cats',
    });
    const res = await strict.request('/ready');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      ready: false,
      defaultModel: 'cats',
      error: { code: 'model_not_found' },
    });
    models.add('cats', 1);
    expect(await (await strict.request('/ready')).json()).toMatchObject({
      error: { code: 'no_serving_version' },
    });
    await models.promote('cats', 1);
    const ok = await strict.request('/ready');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      ready: true,
      models: [{ name: 'cats', version: 1, loading: false }],
    });
  });
});

describe('OpenAPI and docs', () => {
  it('serves a valid OpenAPI 3.1 document listing every route', async () => {
    const { app } = setup();
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/',
      '/health',
      '/ready',
      '/v1/backbones',
      '/v1/backbones/{id}',
      '/v1/models',
      '/v1/models/{name}',
      '/v1/models/{name}/predict',
      '/v1/models/{name}/promote',
      '/v1/models/{name}/report',
      '/v1/models/{name}/versions/{version}/report',
      '/v1/models/{name}/versions/{version}/test-images/{index}',
      '/v1/session',
      '/v1/trainings',
      '/v1/trainings/{id}',
      '/v1/trainings/{id}/rerun',
    ]);
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    const predict = doc.paths['/v1/models/{name}/predict']?.post as unknown as {
      requestBody: { content: Record<string, unknown> };
      responses: Record<string, unknown>;
    };
    expect(Object.keys(predict.requestBody.content)).toEqual(
      expect.arrayContaining(['application/json', 'image/jpeg', 'image/png', 'image/webp']),
    );
    expect(Object.keys(predict.responses)).toEqual(
      expect.arrayContaining(['200', '401', '404', '409', '415', '422']),
    );
    // every $ref resolves
    const refs = JSON.stringify(doc).match(/"#\/components\/schemas\/[^"]+"/g) ?? [];
    for (const ref of refs) expect(doc.components.schemas).toHaveProperty(ref.slice(22, -1));
  });

  it('serves a self-contained docs page (no external assets)', async () => {
    const { app } = setup();
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('/v1/models/{name}/predict');
    expect(html).toContain('/openapi.json');
    expect(html).not.toMatch(/<script|https?:\/\//);
  });
});

describe('models and trainings', () => {
  it('lists, shows and promotes models', async () => {
    const { app, models } = setup();
    models.add('digits', 2);
    expect(await (await app.request('/v1/models', { headers: auth })).json()).toEqual({
      models: [{ name: 'digits', servingVersion: 1, latestVersion: 2 }],
    });
    const one = await (await app.request('/v1/models/digits', { headers: auth })).json();
    expect(one).toEqual({
      name: 'digits',
      servingVersion: 1,
      versions: [{ version: 1, metrics: { accuracy: 0.93 } }, { version: 2 }],
    });
    const promote = (body: unknown, name = 'digits') =>
      app.request(`/v1/models/${name}/promote`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = await promote({ version: 2 });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { servingVersion: number }).servingVersion).toBe(2);
    expect((await models.getCurrent('digits'))?.version).toBe(2);
    const missingVersion = await promote({ version: 9 });
    expect(missingVersion.status).toBe(404);
    expect(((await missingVersion.json()) as { error: { code: string } }).error.code).toBe(
      'version_not_found',
    );
    const missingModel = await promote({ version: 1 }, 'cats');
    expect(((await missingModel.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
    const get404 = await app.request('/v1/models/cats', { headers: auth });
    expect(get404.status).toBe(404);
  });

  it('creates a job, submits it, and reports it', async () => {
    const { app, runner, jobs } = setup();
    const res = await app.request('/v1/trainings', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        dataset: 'digits',
        model: 'digits',
        strategy: 'freeze-k',
        options: { epochs: 3 },
      }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(res.headers.get('location')).toBe(`/v1/trainings/${id}`);
    expect(runner.submitted).toEqual([id]);
    expect(jobs.records.get(id)?.spec).toEqual({
      dataset: 'digits',
      model: 'digits',
      strategy: 'freeze-k',
      options: { epochs: 3 },
    });
    const job = await (await app.request(`/v1/trainings/${id}`, { headers: auth })).json();
    expect(job).toMatchObject({ id, status: 'queued' });
    const missing = await app.request('/v1/trainings/job-999', { headers: auth });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('job_not_found');
  });

  it('defaults the strategy to auto and reports a refused submission as 502, marking the job failed', async () => {
    const { app, runner, jobs } = setup();
    runner.refuse = 'queue disabled';
    const res = await app.request('/v1/trainings', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ dataset: 'digits', model: 'digits' }),
    });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('job_submit_failed');
    const [record] = [...jobs.records.values()];
    expect(record).toMatchObject({ status: 'failed', spec: { strategy: 'auto' } });
    expect(record?.error?.message).toContain('queue disabled');
  });
});
