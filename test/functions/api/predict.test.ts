import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeJpeg } from '@graft/imaging';
import { type LocalS3, S3BlobStore, startLocalS3 } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, imagingDecoder } from '../../../functions/api/src/index.js';
import { auth, grayPng, MemoryJobs, MemoryModelSource, RecordingRunner, TOKEN } from './fakes.js';

interface PredictBody {
  model: string;
  version: number;
  predictions: Array<{ label: string; score: number }>;
  unknown: boolean;
  timings: { decodeMs: number; inferMs: number };
}
interface ErrorJson {
  error: { code: string; message: string };
}

let s3: LocalS3;
let dir: string;
let store: S3BlobStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'graft-api-predict-'));
  s3 = await startLocalS3({ dir, bucket: 'graft-api-test' });
  store = new S3BlobStore(s3.client, s3.bucket);
  await store.put('uploads/white.png', await grayPng(250));
  await store.put('models/digits/versions/1/graft.json', '{}');
});

afterAll(async () => {
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

function setup() {
  const models = new MemoryModelSource().add('digits', 1, { serve: true }).add('empty', 1);
  const app = createApp({
    models,
    jobs: new MemoryJobs(),
    runner: new RecordingRunner(),
    token: TOKEN,
    store,
  });
  const predict = (body: BodyInit, contentType?: string, query = '', name = 'digits') =>
    app.request(`/v1/models/${name}/predict${query}`, {
      method: 'POST',
      headers: contentType ? { ...auth, 'content-type': contentType } : auth,
      body,
    });
  return { app, models, predict };
}

describe('POST /v1/models/{name}/predict', () => {
  it('classifies a raw PNG body with the real decoder', async () => {
    const { predict } = setup();
    const res = await predict(await grayPng(20), 'image/png');
    expect(res.status).toBe(200);
    const body = (await res.json()) as PredictBody;
    expect(body.model).toBe('digits');
    expect(body.version).toBe(1);
    expect(body.predictions.map((p) => p.label)).toEqual(['dark', 'light']);
    expect(body.predictions[0]?.score).toBeCloseTo(1 - 20 / 255, 5);
    expect(body.unknown).toBe(false);
    expect(body.timings.decodeMs).toBeGreaterThanOrEqual(0);
    expect(body.timings.inferMs).toBeGreaterThanOrEqual(0);
  });

  it('classifies a raw JPEG body and honours topK and threshold from the query', async () => {
    const { predict } = setup();
    const jpeg = new Uint8Array(
      await encodeJpeg({ width: 8, height: 8, data: new Uint8ClampedArray(8 * 8 * 4).fill(255) }),
    );
    const res = await predict(jpeg, 'image/jpeg', '?topK=1&threshold=0.5');
    const body = (await res.json()) as PredictBody;
    expect(res.status).toBe(200);
    expect(body.predictions).toHaveLength(1);
    expect(body.predictions[0]?.label).toBe('light');
    expect(body.predictions[0]?.score).toBeGreaterThan(0.95);
    expect(body.unknown).toBe(false);
    // a mid-gray image scores ~0.5 for both labels: below a 0.9 threshold it is flagged unknown
    const gray = (await (
      await predict(await grayPng(128), 'image/png', '?threshold=0.9')
    ).json()) as PredictBody;
    expect(gray.predictions).toHaveLength(2);
    expect(gray.unknown).toBe(true);
  });

  it('accepts JSON with a base64 image (plain and data: URL) and JSON topK', async () => {
    const { predict } = setup();
    const png = await grayPng(240);
    const b64 = btoa(String.fromCharCode(...png));
    for (const image of [b64, `data:image/png;base64,${b64}`]) {
      const res = await predict(JSON.stringify({ image, topK: 1 }), 'application/json');
      expect(res.status).toBe(200);
      const body = (await res.json()) as PredictBody;
      expect(body.predictions).toEqual([{ label: 'light', score: expect.closeTo(240 / 255, 5) }]);
    }
  });

  it('reads { s3Key } through the real store, only under datasets/ or uploads/', async () => {
    const { predict } = setup();
    const ok = await predict(JSON.stringify({ s3Key: 'uploads/white.png' }), 'application/json');
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as PredictBody).predictions[0]?.label).toBe('light');

    const missing = await predict(JSON.stringify({ s3Key: 'uploads/none.png' }), 'application/json');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as ErrorJson).error.code).toBe('object_not_found');

    for (const s3Key of ['models/digits/versions/1/graft.json', 'uploads/../models/x', 'jobs/1.json']) {
      const res = await predict(JSON.stringify({ s3Key }), 'application/json');
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorJson).error.code).toBe('invalid_request');
    }
  });

  it('maps image errors to 415 / 422 / 400 and unknown media types to 415', async () => {
    const { predict } = setup();
    const gif = new TextEncoder().encode('GIF89a\x01\x00\x01\x00\x00\x00\x00;');
    const png = await grayPng(100, 16);
    const truncated = png.slice(0, 40);
    const cases: Array<[BodyInit, string, number, string]> = [
      [gif, 'image/png', 415, 'unsupported_format'],
      [truncated, 'image/png', 422, 'corrupt_image'],
      [new Uint8Array(0), 'image/png', 400, 'empty_image'],
      [png, 'text/plain', 415, 'unsupported_media_type'],
      [JSON.stringify({ image: '!!!not base64!!!' }), 'application/json', 400, 'invalid_request'],
    ];
    for (const [body, type, status, code] of cases) {
      const res = await predict(body, type);
      const json = (await res.json()) as ErrorJson;
      expect({ type, status: res.status, code: json.error.code }).toEqual({ type, status, code });
    }
  });

  it('maps a too-large image (pixel limit read from the header) to 413 image_too_large', async () => {
    const { predict } = setup();
    // A PNG header declaring 100000 x 100000 pixels: rejected before any pixel is decoded.
    const png = await grayPng(1, 1);
    const view = new DataView(png.buffer, png.byteOffset);
    view.setUint32(16, 100_000);
    view.setUint32(20, 100_000);
    const res = await predict(png, 'image/png');
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorJson).error.code).toBe('image_too_large');
  });

  it('answers 404 model_not_found and 409 no_serving_version', async () => {
    const { predict } = setup();
    const png = await grayPng(1);
    const unknown = await predict(png, 'image/png', '', 'cats');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorJson).error.code).toBe('model_not_found');
    const unserved = await predict(png, 'image/png', '', 'empty');
    expect(unserved.status).toBe(409);
    expect(((await unserved.json()) as ErrorJson).error.code).toBe('no_serving_version');
  });

  it('queues predictions first come first served and refuses more than maxQueuedPredictions with 503 + Retry-After', async () => {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    const app = createApp({
      models: new MemoryModelSource().add('digits', 1, { serve: true }),
      jobs: new MemoryJobs(),
      runner: new RecordingRunner(),
      token: TOKEN,
      maxQueuedPredictions: 2,
      decode: async (bytes) => {
        await opened; // holds the first prediction, so the queue fills up
        return imagingDecoder(bytes);
      },
    });
    const png = await grayPng(120);
    const send = () =>
      app.request('/v1/models/digits/predict', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'image/png' },
        body: png,
      });
    const pending = [send(), send(), send(), send()];
    const refused = await Promise.race([Promise.all([pending[2]!, pending[3]!]), sleepThenFail(5000)]);
    for (const res of refused) {
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(((await res.json()) as ErrorJson).error.code).toBe('overloaded');
    }
    open();
    for (const res of await Promise.all(pending.slice(0, 2))) expect(res.status).toBe(200);
    expect((await send()).status).toBe(200); // the queue drained
  });

  it('answers 503 model_unavailable when the serving version cannot load, and /ready reports it', async () => {
    const models = new MemoryModelSource().add('digits', 1, {
      serve: true,
      broken: 'weights.bin is truncated',
    });
    const app = createApp({
      models,
      jobs: new MemoryJobs(),
      runner: new RecordingRunner(),
      token: TOKEN,
      defaultModel: 'digits',
    });
    const res = await app.request('/v1/models/digits/predict', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'image/png' },
      body: await grayPng(1),
    });
    expect(res.status).toBe(503);
    const body = (await res.json()) as ErrorJson;
    expect(body.error.code).toBe('model_unavailable');
    expect(body.error.message).toContain('weights.bin is truncated');
    const ready = await app.request('/ready');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      ready: false,
      defaultModel: 'digits',
      models: [
        { name: 'digits', loading: false, lastError: { version: 1, message: 'weights.bin is truncated' } },
      ],
    });
  });
});

function sleepThenFail(ms: number): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms));
}
