import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodySizeLimit } from '../../../functions/api/src/body-limit.js';

const LIMIT = 1024;

function app() {
  const hono = new Hono();
  hono.use(
    '*',
    bodySizeLimit(LIMIT, (c) => c.json({ error: { code: 'payload_too_large' } }, 413)),
  );
  hono.post('/echo', async (c) => {
    // Inspecting @hono/node-server's lightweight request shows whether a full Request (body as a web stream) was
    // made of it before the route read its bytes.
    const materialized = !inspect(c.req.raw).includes('nativeRequest: undefined');
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    return c.json({ length: bytes.byteLength, materialized });
  });
  hono.get('/get', (c) => c.json({ ok: true }));
  return hono;
}

describe('bodySizeLimit', () => {
  it('passes a declared body within the limit and refuses a larger one before reading it', async () => {
    const hono = app();
    const ok = await hono.request('/echo', {
      method: 'POST',
      headers: { 'content-length': String(LIMIT) },
      body: new Uint8Array(LIMIT),
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ length: LIMIT });
    const big = await hono.request('/echo', {
      method: 'POST',
      headers: { 'content-length': String(LIMIT + 1) },
      body: new Uint8Array(LIMIT + 1),
    });
    expect(big.status).toBe(413);
  });

  it('counts a body without a declared length as it streams', async () => {
    const hono = app();
    const stream = (chunks: number) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < chunks; i++) controller.enqueue(new Uint8Array(400));
          controller.close();
        },
      });
    const small = await hono.request('/echo', {
      method: 'POST',
      body: stream(2),
      duplex: 'half',
    } as RequestInit);
    expect(await small.json()).toMatchObject({ length: 800 });
    const big = await hono.request('/echo', {
      method: 'POST',
      body: stream(3),
      duplex: 'half',
    } as RequestInit);
    expect(big.status).toBe(413);
  });

  it('lets GET through', async () => {
    expect((await app().request('/get')).status).toBe(200);
  });

  describe('over a real socket', () => {
    let url: string;
    let close: () => void;
    beforeAll(async () => {
      await new Promise<void>((resolve) => {
        const server = serve({ fetch: app().fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
          url = `http://127.0.0.1:${info.port}`;
          close = () => server.close();
          resolve();
        });
      });
    });
    afterAll(() => close?.());

    it('leaves a declared body to be read straight from the socket (no web stream)', async () => {
      const res = await fetch(`${url}/echo`, { method: 'POST', body: new Uint8Array(600) });
      expect(await res.json()).toEqual({ length: 600, materialized: false });
    });

    it('refuses a chunked body over the limit', async () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 4; i++) controller.enqueue(new Uint8Array(512));
          controller.close();
        },
      });
      const res = await fetch(`${url}/echo`, { method: 'POST', body, duplex: 'half' } as RequestInit);
      expect(res.status).toBe(413);
    });
  });
});
