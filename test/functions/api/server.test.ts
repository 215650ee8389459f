import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../functions/api/src/index.js';
import { type RunningServer, startServer } from '../../../functions/api/src/server.js';
import { auth, grayPng, MemoryJobs, MemoryModelSource, RecordingRunner, TOKEN } from './fakes.js';

let server: RunningServer;
const models = new MemoryModelSource().add('digits', 1, { serve: true });

beforeAll(async () => {
  const app = createApp({
    models,
    jobs: new MemoryJobs(),
    runner: new RecordingRunner(),
    token: TOKEN,
    bodyLimitBytes: 64 * 1024,
  });
  server = await startServer(app, { port: 0, hostname: '127.0.0.1' });
});
afterAll(() => server?.close());

describe('over a real socket (server.ts on 127.0.0.1, port 0)', () => {
  it('listens on an ephemeral loopback port', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
  });

  it('serves /health, /ready and a prediction', async () => {
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok' });
    const res = await fetch(`${server.url}/v1/models/digits/predict?topK=1`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'image/png' },
      body: await grayPng(10, 32),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(await res.json()).toMatchObject({ model: 'digits', version: 1, predictions: [{ label: 'dark' }] });
    const ready = await (await fetch(`${server.url}/ready`)).json();
    expect(ready).toMatchObject({ ready: true, models: [{ name: 'digits', version: 1 }] });
  });

  it('enforces the body limit on a chunked upload (no content-length)', async () => {
    let remaining = 10; // 10 x 16 KiB > 64 KiB limit
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(16 * 1024));
        if (--remaining === 0) controller.close();
      },
    });
    const res = await fetch(`${server.url}/v1/models/digits/predict`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'image/png' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('answers 401 over the wire', async () => {
    const res = await fetch(`${server.url}/v1/models`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });
});
