/**
 * Hostile and awkward object keys through the local runtime (embedded S3 → S3's URL-encoded event JSON → queue →
 * extract workers) and through crafted events: spaces, `+`, `%`, unicode, ~1000-byte keys, `..` segments, keys
 * outside `datasets/`. Nothing may be read or written outside the runtime's data folder.
 * (handler.test.ts covers the encoding of single keys; this is about the runtime as a whole.)
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SCENARIO_CONFIG } from '@graft/bench';
import { createExtractDeps, rejectKey } from '@graft/extraction';
import { createExtractHandler } from '@graft/fn-extract';
import { encodePng } from '@graft/imaging';
import { type Runtime, startRuntime, toSqsEvent } from '@graft/local-aws';
import {
  encodeS3EventKey,
  FeatureStore,
  InvalidKeyError,
  type S3BlobStore,
  StorageError,
} from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let root: string;
let dataDir: string;
let runtime: Runtime;
let seq = 0;

/** A distinct small PNG per call. */
async function png(): Promise<Uint8Array> {
  const n = ++seq;
  const data = new Uint8ClampedArray(12 * 12 * 4).map((_, i) =>
    i % 4 === 3 ? 255 : (i * 31 + n * 97) % 256,
  );
  return encodePng({ width: 12, height: 12, data });
}

async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.relative(root, path.join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'graft-keys-'));
  dataDir = path.join(root, 'data');
  await mkdir(path.join(root, 'outside'));
  await writeFile(path.join(root, 'outside', 'sentinel.txt'), 'untouched');
  runtime = await startRuntime({
    dataDir,
    port: 0,
    workers: 1,
    token: 'keys-token-0123456789',
    log: () => {},
  });
  await runtime.store.put('datasets/keys/graft.json', JSON.stringify(SCENARIO_CONFIG));
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await rm(root, { recursive: true, force: true });
});

describe('object keys through the local runtime', () => {
  it('awkward but valid keys are extracted; their events carry S3 encoding; hostile keys never reach the disk', async () => {
    const long = `datasets/keys/train/long/${Array.from({ length: 6 }, (_, i) => `${String(i).repeat(150)}`).join('/')}.png`;
    expect(Buffer.byteLength(long)).toBeGreaterThan(900);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(1024);
    const valid = [
      'datasets/keys/train/cat/my cat 1.png',
      'datasets/keys/train/cat/a+b=c&d.png',
      'datasets/keys/val/cat/100% sure %2e%2e %2F.png',
      'datasets/keys/test/chat/ü日本 (é) 🐱.png',
      'datasets/keys/dog/x..png',
      'datasets/keys/dog/....png',
      `datasets/keys/train/cat/${'é'.repeat(95)}.png`, // 194 bytes: the longest file names the local disk takes
    ];
    const bytes = new Map<string, Uint8Array>();
    for (const key of valid) {
      bytes.set(key, await png());
      await runtime.store.put(key, bytes.get(key)!);
    }
    // outside datasets/: stored, but not an upload (ignored, no feature)
    await runtime.store.put('other/x y.png', await png());
    await runtime.store.put('datasets/keys/not-an-upload.png', await png());
    // ~1000 bytes is only possible with many segments here (≤ 200 bytes each): not the upload layout
    await runtime.store.put(long, await png());

    // Hostile keys: the store refuses them before a request; the raw client gets the server's refusal.
    const hostile = [
      '../outside/sentinel.txt',
      'datasets/../../outside/pwned.png',
      'datasets/keys/train/../../../../outside/pwned.png',
      'datasets/keys/train/./cat/x.png',
      'datasets/keys//cat/x.png',
      `datasets/keys/train/cat/${'x'.repeat(1100)}.png`,
      `datasets/keys/train/cat/${'é'.repeat(150)}.png`, // a 300-byte file name: S3 allows it, the local disk cannot
      'datasets/keys/train/cat/nul\u0000.png',
    ];
    for (const key of hostile) {
      await expect(runtime.store.put(key, 'x'), key).rejects.toBeInstanceOf(StorageError);
      const raw = await runtime.client
        .send(new PutObjectCommand({ Bucket: runtime.bucket, Key: key, Body: 'x' }))
        .then(
          () => 'stored',
          (e: Error) => e.name,
        );
      expect(raw, key).not.toBe('stored');
    }
    await expect(runtime.store.put('../x', 'x')).rejects.toBeInstanceOf(InvalidKeyError);

    await runtime.extractionIdle();
    expect(runtime.stats).toMatchObject({ deadLettered: 0, workerRestarts: 0 });
    expect(runtime.stats.extracted).toBe(valid.length);
    const features = new FeatureStore(runtime.store as S3BlobStore);
    for (const key of valid) {
      const ref = await FeatureStore.refFor(bytes.get(key)!, 'mobilenet_v2-96', SCENARIO_CONFIG.cut);
      expect(await features.has(ref), key).toBe(true);
    }
    // not-an-upload.png has no label folder: a rejects record says so
    const record = JSON.parse(
      new TextDecoder().decode(
        await runtime.store.get(await rejectKey('keys', 'datasets/keys/not-an-upload.png')),
      ),
    );
    expect(record.code).toBe('invalid_key');
    const longRecord = JSON.parse(
      new TextDecoder().decode(await runtime.store.get(await rejectKey('keys', long))),
    );
    expect(longRecord).toMatchObject({ key: long, code: 'invalid_key' });
    expect(runtime.stats.rejected).toBe(2);
    // other/x y.png, graft.json and the runtime's own features/ and rejects/ writes: events, but not uploads
    expect(runtime.stats.ignored).toBeGreaterThanOrEqual(2);

    // Crafted events (as S3 would send for keys it accepts but this store refuses, or never held): the handler
    // rejects or ignores them, without retries, and touches nothing outside the data folder.
    const logs: Record<string, unknown>[] = [];
    const handle = createExtractHandler(createExtractDeps(runtime.store), (e) => logs.push(e));
    const crafted = [
      'datasets/keys/train/../../../../outside/sentinel.txt',
      'datasets/keys/train/cat/../../../../../outside/sentinel.txt',
      '../outside/sentinel.txt',
      '/etc/passwd',
      'datasets/keys/train/cat/%2e%2e%2f%2e%2e%2fsentinel.txt',
    ];
    const messages = crafted.map((key, i) => ({
      messageId: `c-${i}`,
      receiveCount: 1,
      body: JSON.stringify({
        Records: [
          {
            eventName: 'ObjectCreated:Put',
            eventSource: 'aws:s3',
            s3: { object: { key: encodeS3EventKey(key) } },
          },
        ],
      }),
    }));
    messages.push({
      messageId: 'bad-escape',
      receiveCount: 1,
      body: JSON.stringify({
        Records: [{ eventName: 'ObjectCreated:Put', s3: { object: { key: '%E0%A4%A' } } }],
      }),
    });
    expect(await handle(toSqsEvent(messages))).toEqual({ batchItemFailures: [] });
    const outcome = (key: string) =>
      logs.find((l) => l.key === key && typeof l.msg === 'string' && ['rejected', 'ignored'].includes(l.msg));
    expect(outcome(crafted[0]!)).toMatchObject({ msg: 'rejected', code: 'invalid_key' });
    expect(outcome(crafted[1]!)).toMatchObject({ msg: 'rejected', code: 'invalid_key' });
    expect(outcome(crafted[2]!)).toMatchObject({ msg: 'ignored' });
    expect(outcome(crafted[3]!)).toMatchObject({ msg: 'ignored' });
    expect(outcome(crafted[4]!)).toMatchObject({ msg: 'ignored', reason: 'object no longer exists' });
    expect(logs.find((l) => l.key === '%E0%A4%A')).toMatchObject({ msg: 'undecodable key in event' });

    // The disk: everything is under the data folder, the sentinel is untouched, nothing named pwned exists.
    expect(await readFile(path.join(root, 'outside', 'sentinel.txt'), 'utf8')).toBe('untouched');
    const files = await tree(root);
    expect(files.filter((f) => !f.startsWith(`data${path.sep}`))).toEqual([`outside${path.sep}sentinel.txt`]);
    expect(files.some((f) => f.includes('pwned'))).toBe(false);
    const bucketDir = path.join('data', 's3', runtime.bucket);
    expect(
      files.filter((f) => f.startsWith(`data${path.sep}s3`) && !f.startsWith(bucketDir + path.sep)),
    ).toEqual([path.join('data', 's3', '.graft-s3-credentials.json')]); // the server's key pair, beside the bucket
  }, 90_000);
});
