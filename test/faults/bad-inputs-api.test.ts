/**
 * Every file of the bad-input corpus posted to the real API (real socket, real registry on the embedded S3, a real
 * tiny model): 200 with predictions for valid images, the manifest's status and `error.code` for the rest —
 * as a raw body and as base64 JSON — with bounded memory and no tensor leak.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ApiStack, grayPng, startApiStack, TINY_LABELS, tinyModelFiles } from '@graft/bench';
import { tf } from '@graft/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CORPUS = path.join(import.meta.dirname, '../fixtures/bad-inputs');
const manifest = JSON.parse(readFileSync(path.join(CORPUS, 'manifest.json'), 'utf8')) as {
  file: string;
  expect: string;
  status: number;
}[];

let root: string;
let stack: ApiStack;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'graft-bad-api-'));
  stack = await startApiStack({ dir: root, defaultModel: 'tiny' });
  await stack.registry.publish('tiny', { ...(await tinyModelFiles(1)), report: {} });
});
afterAll(async () => {
  await stack?.close();
  await rm(root, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: { error?: { code: string; message: string }; predictions?: { label: string; score: number }[] };
}

async function predict(bytes: Uint8Array, asJson: boolean): Promise<Answer> {
  const res = await fetch(`${stack.url}/v1/models/tiny/predict?topK=2`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${stack.token}`,
      'content-type': asJson ? 'application/json' : 'application/octet-stream',
    },
    body: asJson ? JSON.stringify({ image: Buffer.from(bytes).toString('base64') }) : new Uint8Array(bytes),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

describe('bad-input corpus against the API', () => {
  it.each([false, true])(
    'each file gets its status and error.code, or predictions (JSON body: %s)',
    async (asJson) => {
      // warm the model so tensor counts compare like with like
      expect((await predict(await grayPng(40), false)).status).toBe(200);
      const tensors = tf.memory().numTensors;
      for (const entry of manifest) {
        const answer = await predict(new Uint8Array(readFileSync(path.join(CORPUS, entry.file))), asJson);
        expect(answer.status, entry.file).toBe(entry.status);
        if (entry.expect === 'predict') {
          expect(answer.body.predictions?.map((p) => p.label).sort(), entry.file).toEqual(
            [...TINY_LABELS].sort(),
          );
          expect(answer.body.predictions?.every((p) => Number.isFinite(p.score))).toBe(true);
        } else {
          // `{ image: "" }` is refused by the request schema (image: non-empty string) before decoding
          const code = asJson && entry.expect === 'empty_image' ? 'invalid_request' : entry.expect;
          expect(answer.body.error?.code, entry.file).toBe(code);
          expect(answer.body.error?.message.length).toBeGreaterThan(0);
        }
      }
      expect(tf.memory().numTensors).toBe(tensors);
    },
  );

  it('bombs: 30 requests declaring 2.5 gigapixels each keep RSS within +200 MB and the server answering', async () => {
    const bombs = manifest.filter((e) => e.file.startsWith('bomb-'));
    expect(bombs.length).toBeGreaterThanOrEqual(3);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    try {
      await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          const entry = bombs[i % bombs.length]!;
          const answer = await predict(new Uint8Array(readFileSync(path.join(CORPUS, entry.file))), false);
          expect(answer.status).toBe(413);
          expect(answer.body.error?.code).toBe('image_too_large');
        }),
      );
    } finally {
      clearInterval(sampler);
    }
    const grewMb = (Math.max(peak, process.memoryUsage().rss) - before) / 2 ** 20;
    console.log(`bombs: RSS peak +${grewMb.toFixed(1)} MB`);
    expect(grewMb).toBeLessThan(200);
    expect((await predict(await grayPng(200), false)).body.predictions?.[0]?.label).toBe('light');
  });
});
