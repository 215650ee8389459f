/**
 * The extract handler over the real stack: embedded S3 (startLocalS3) emitting AWS's exact event JSON, SQS events
 * shaped as Lambda receives them, the real MobileNetV2 trunk on the WASM backend, real MNIST PNGs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeGrayPng, loadMnistDigits } from '@graft/datasets';
import { createExtractDeps, rejectKey } from '@graft/extraction';
import { createExtractHandler } from '@graft/fn-extract';
import { toSqsEvent } from '@graft/local-aws';
import { initBackend, tf } from '@graft/runtime';
import {
  decodeS3EventKey,
  FeatureStore,
  type LocalS3,
  S3BlobStore,
  type S3EventRecordJson,
  sha256,
  startLocalS3,
} from '@graft/storage';
import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const BACKBONE_ID = 'mobilenet_v2-96';
const CUT = 'block_5_add';
const CONFIG = { backbone: 'mobilenet_v2', inputSize: 96, cut: CUT, createdAt: new Date().toISOString() };

let dir: string;
let s3: LocalS3;
let store: S3BlobStore;
let features: FeatureStore;
let handle: (event: SQSEvent | S3Event) => Promise<SQSBatchResponse>;
let pngs: Uint8Array[];
let nextPng = 0;
/** Every object-created record the local S3 emitted, by decoded key (the latest one wins). */
const records = new Map<string, S3EventRecordJson>();
let logs: Record<string, unknown>[] = [];
let messageSeq = 0;

const outcomes = (kind?: string) =>
  logs.filter(
    (l) =>
      ['extracted', 'duplicate', 'rejected', 'ignored'].includes(String(l.msg)) && (!kind || l.msg === kind),
  );

/** Uploads an object and returns the S3 record its creation emitted. */
async function upload(key: string, bytes: Uint8Array | string): Promise<S3EventRecordJson> {
  await store.put(key, bytes);
  await s3.drainEvents();
  const record = records.get(key);
  if (!record) throw new Error(`no event for ${key}`);
  return record;
}

const freshPng = () => pngs[nextPng++ % pngs.length]!;

/** One SQS message per record; each body is the exact S3 notification document. */
function sqs(...records: S3EventRecordJson[]): SQSEvent {
  return toSqsEvent(
    records.map((r) => ({
      messageId: `m-${++messageSeq}`,
      body: JSON.stringify({ Records: [r] }),
      receiveCount: 1,
    })),
  );
}

const featureRef = async (bytes: Uint8Array) => ({
  backboneId: BACKBONE_ID,
  cut: CUT,
  sha256: await sha256(bytes),
});

beforeAll(async () => {
  await initBackend();
  dir = await mkdtemp(path.join(tmpdir(), 'graft-extract-'));
  s3 = await startLocalS3({ dir, bucket: 'graft-extract' });
  s3.onObjectCreated((record) => {
    records.set(decodeS3EventKey(record.s3.object.key), record);
  });
  store = new S3BlobStore(s3.client, s3.bucket);
  features = new FeatureStore(store);
  const set = await loadMnistDigits({ perClass: 6, digits: [1, 3, 7] });
  pngs = set.images.map((pixels) => encodeGrayPng(pixels, set.width, set.height));
  await store.put('datasets/digits/graft.json', JSON.stringify(CONFIG));
  await store.put('datasets/fixed/graft.json', JSON.stringify({ ...CONFIG, labels: ['1', '3'] }));
  handle = createExtractHandler(createExtractDeps(store), (entry) => logs.push(entry));
});

afterAll(async () => {
  await s3?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  logs = [];
});

describe('extract handler on SQS batches of S3 notifications', () => {
  it('extracts uploads whose keys hold spaces, "+", "%" and unicode, writing content-addressed features', async () => {
    const keys = [
      'datasets/digits/train/1/my digit 1.png',
      'datasets/digits/train/3/a+b=c.png',
      'datasets/digits/val/7/100% sure.png',
      'datasets/digits/test/1/ü日本 (é).png',
    ];
    const bytes = keys.map(() => freshPng());
    const recs = [];
    for (const [i, key] of keys.entries()) recs.push(await upload(key, bytes[i]!));
    // The events carry S3's URL encoding, not the raw keys.
    expect(recs[0]!.s3.object.key).toBe('datasets/digits/train/1/my+digit+1.png');
    expect(recs[1]!.s3.object.key).toBe('datasets/digits/train/3/a%2Bb%3Dc.png');
    expect(recs[2]!.s3.object.key).toBe('datasets/digits/val/7/100%25+sure.png');
    expect(recs[3]!.s3.object.key).toMatch(/^datasets\/digits\/test\/1\/%C3%BC%E6%97%A5/);

    const started = performance.now();
    const response = await handle(sqs(...recs));
    const ms = performance.now() - started;
    console.log(`extract: 4 images (first includes trunk build) in ${ms.toFixed(0)} ms`);
    expect(response).toEqual({ batchItemFailures: [] });
    // Messages run concurrently, so outcomes arrive in completion order.
    expect(
      outcomes('extracted')
        .map((o) => o.key)
        .sort(),
    ).toEqual([...keys].sort());
    for (const b of bytes) {
      const ref = await featureRef(b);
      expect(await features.has(ref)).toBe(true);
      const stored = await features.get(ref);
      expect(stored.shape).toEqual([12, 12, 32]);
      expect(stored.data.length).toBe(12 * 12 * 32);
      expect(stored.data.every(Number.isFinite)).toBe(true);
    }
  });

  it('a redelivered event does no work (duplicate), and so does another key holding the same bytes', async () => {
    const bytes = freshPng();
    const first = await upload('datasets/digits/train/3/dup one.png', bytes);
    expect(await handle(sqs(first))).toEqual({ batchItemFailures: [] });
    expect(outcomes().map((o) => o.msg)).toEqual(['extracted']);
    const featureKey = outcomes()[0]!.featureKey as string;
    const before = await store.head(featureKey);

    logs = [];
    const copy = await upload('datasets/digits/train/3/dup two.png', bytes);
    expect(await handle(sqs(first, first, copy))).toEqual({ batchItemFailures: [] });
    expect(outcomes().map((o) => o.msg)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(outcomes().every((o) => o.featureKey === featureKey && o.sha256 === outcomes()[0]!.sha256)).toBe(
      true,
    );
    const after = await store.head(featureKey);
    expect(after?.etag).toBe(before?.etag);
  });

  it('runs a batch’s messages concurrently, yet the same bytes (one key twice, or two keys) run the trunk once', async () => {
    let inFlight = 0;
    let most = 0;
    const counting = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop !== 'get') return Reflect.get(target, prop, receiver);
        return async (key: string) => {
          most = Math.max(most, ++inFlight);
          try {
            return await target.get(key);
          } finally {
            inFlight--;
          }
        };
      },
    });
    const concurrent = createExtractHandler(createExtractDeps(counting), (entry) => logs.push(entry), {
      concurrency: 3,
    });
    const same = freshPng();
    const a = await upload('datasets/digits/train/1/same a.png', same);
    const b = await upload('datasets/digits/train/1/same b.png', same);
    const others = [];
    for (let i = 0; i < 4; i++)
      others.push(await upload(`datasets/digits/train/3/other-${i}.png`, freshPng()));
    expect(await concurrent(sqs(a, a, b, ...others))).toEqual({ batchItemFailures: [] });
    expect(most).toBe(3);
    const forSame = outcomes().filter((o) => String(o.key).includes('/same '));
    expect(forSame.map((o) => o.msg).sort()).toEqual(['duplicate', 'duplicate', 'extracted']);
    expect(outcomes('extracted').filter((o) => String(o.key).includes('/other-'))).toHaveLength(4);
    expect(await features.has(await featureRef(same))).toBe(true);
    expect(() => createExtractHandler(createExtractDeps(store), undefined, { concurrency: 0 })).toThrow(
      RangeError,
    );
  });

  it('bad images get a rejects record with the imaging error code and are not retried', async () => {
    const png = freshPng();
    const bad = [
      {
        key: 'datasets/digits/train/1/notes.jpg',
        bytes: 'this is a text file, not a JPEG\n',
        code: 'unsupported_format',
      },
      { key: 'datasets/digits/train/1/empty.png', bytes: new Uint8Array(0), code: 'empty_image' },
      {
        key: 'datasets/digits/train/1/truncated.png',
        bytes: png.slice(0, Math.floor(png.length / 2)),
        code: 'corrupt_image',
      },
    ];
    const recs = [];
    for (const b of bad) recs.push(await upload(b.key, b.bytes));
    const event = sqs(...recs);
    expect(await handle(event)).toEqual({ batchItemFailures: [] });
    expect(Object.fromEntries(outcomes('rejected').map((o) => [o.key, o.code]))).toEqual(
      Object.fromEntries(bad.map((b) => [b.key, b.code])),
    );
    for (const b of bad) {
      const record = JSON.parse(new TextDecoder().decode(await store.get(await rejectKey('digits', b.key))));
      const content = typeof b.bytes === 'string' ? new TextEncoder().encode(b.bytes) : b.bytes;
      expect(record).toMatchObject({
        key: b.key,
        dataset: 'digits',
        code: b.code,
        sha256: await sha256(content),
      });
      expect(typeof record.message).toBe('string');
      expect(Number.isNaN(Date.parse(record.rejectedAt))).toBe(false);
      expect(await features.has(await featureRef(content))).toBe(false);
    }
  });

  it('a label outside the data set’s fixed labels is rejected as unknown_label', async () => {
    const key = 'datasets/fixed/train/7/seven.png';
    const record = await upload(key, freshPng());
    expect(await handle(sqs(record))).toEqual({ batchItemFailures: [] });
    expect(outcomes().map((o) => [o.msg, o.code])).toEqual([['rejected', 'unknown_label']]);
    expect(await store.head(await rejectKey('fixed', key))).toBeDefined();
  });

  it('ignores keys outside datasets/, the data set config itself, and non-notification bodies', async () => {
    // An image no other test uploads: nothing may extract it.
    const unique = encodeGrayPng(
      Uint8Array.from({ length: 28 * 28 }, (_, i) => (i * 37) % 256),
      28,
      28,
    );
    const outside = await upload('other/x.png', unique);
    const config = records.get('datasets/digits/graft.json');
    expect(config).toBeDefined();
    const event = sqs(outside, config!);
    event.Records.push(
      {
        ...event.Records[0]!,
        messageId: 'test-event',
        body: JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent' }),
      },
      { ...event.Records[0]!, messageId: 'garbage', body: 'not json' },
    );
    expect(await handle(event)).toEqual({ batchItemFailures: [] });
    expect(outcomes().map((o) => [o.msg, o.key])).toEqual(
      expect.arrayContaining([
        ['ignored', 'other/x.png'],
        ['ignored', 'datasets/digits/graft.json'],
      ]),
    );
    expect(outcomes()).toHaveLength(2);
    expect(await features.has(await featureRef(unique))).toBe(false);
  });

  it('a data set without graft.json fails only its own message (retried), the rest of the batch succeeds', async () => {
    const orphan = await upload('datasets/noconfig/train/1/x.png', freshPng());
    const good = await upload('datasets/digits/train/7/fine.png', freshPng());
    const event = sqs(good, orphan);
    const response = await handle(event);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]!.messageId }]);
    expect(outcomes().map((o) => o.msg)).toEqual(['extracted']);
    expect(logs.find((l) => l.msg === 'retrying message')?.error).toMatch(
      /RetryableError: .*noconfig\/graft\.json/,
    );

    // Once the config exists, the redelivered message succeeds on the same (warm) handler: the failed config
    // read is not cached.
    await store.put('datasets/noconfig/graft.json', JSON.stringify(CONFIG));
    logs = [];
    const again = toSqsEvent([
      { messageId: event.Records[1]!.messageId, body: event.Records[1]!.body, receiveCount: 2 },
    ]);
    expect(await handle(again)).toEqual({ batchItemFailures: [] });
    expect(outcomes().map((o) => o.msg)).toEqual(['extracted']);
  });

  it('accepts a direct S3 event (no SQS in between)', async () => {
    const bytes = freshPng();
    const record = await upload('datasets/digits/train/1/direct upload.png', bytes);
    const event = { Records: [record] } as unknown as S3Event;
    expect(await handle(event)).toEqual({ batchItemFailures: [] });
    expect(outcomes().map((o) => [o.msg, o.key])).toEqual([
      ['extracted', 'datasets/digits/train/1/direct upload.png'],
    ]);
    expect(await features.has(await featureRef(bytes))).toBe(true);
  });

  it('an object deleted before its event is handled is ignored, not retried', async () => {
    const record = await upload('datasets/digits/train/3/gone.png', freshPng());
    await store.delete('datasets/digits/train/3/gone.png');
    expect(await handle(sqs(record))).toEqual({ batchItemFailures: [] });
    expect(outcomes().map((o) => [o.msg, o.reason])).toEqual([['ignored', 'object no longer exists']]);
  });

  it('does not leak tensors over repeated events (extracted, duplicate and rejected)', async () => {
    // Warm: the trunk is built and cached by the earlier tests.
    const warm = await upload('datasets/digits/train/1/warm.png', freshPng());
    await handle(sqs(warm));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      const fresh = await upload(`datasets/digits/train/7/leak-${i}.png`, freshPng());
      const broken = await upload(`datasets/digits/train/7/leak-${i}.jpg`, 'nope');
      expect(await handle(sqs(fresh, warm, broken))).toEqual({ batchItemFailures: [] });
    }
    expect(outcomes('rejected')).toHaveLength(5);
    expect(outcomes('duplicate').length).toBeGreaterThanOrEqual(5);
    expect(tf.memory().numTensors).toBe(before);
  });
});
