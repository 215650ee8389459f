import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CopyObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  InvalidKeyError,
  NotFoundError,
  PreconditionFailedError,
  S3BlobStore,
  StorageError,
  startLocalS3,
  TransientStorageError,
} from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startTestS3, type TestS3, text } from './local-s3-fixture.js';

let t: TestS3;
beforeAll(async () => {
  t = await startTestS3();
});
afterAll(async () => {
  await t.close();
});

function pattern(size: number, seed = 7): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('S3BlobStore against the embedded S3 server', () => {
  it('round-trips text and bytes with metadata', async () => {
    await t.store.put('a/b.json', '{"x":1}', { contentType: 'application/json', metadata: { owner: 'me' } });
    expect(text(await t.store.get('a/b.json'))).toBe('{"x":1}');
    const info = await t.store.head('a/b.json');
    expect(info).toMatchObject({ key: 'a/b.json', size: 7, contentType: 'application/json' });
    expect(info?.etag).toMatch(/^[0-9a-f]{32}$/);
    const bytes = pattern(1000);
    await t.store.put('bin/x.bin', bytes);
    expect(await t.store.get('bin/x.bin')).toEqual(bytes);
  });

  it('maps a missing key to NotFoundError and head to undefined; delete is idempotent', async () => {
    const err = await t.store.get('nope/missing').catch((e) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.code).toBe('not_found');
    expect(await t.store.head('nope/missing')).toBeUndefined();
    await t.store.put('del/me', 'x');
    await t.store.delete('del/me');
    await t.store.delete('del/me');
    expect(await t.store.head('del/me')).toBeUndefined();
  });

  it('streams an async iterable and a ReadableStream, multipart above 8 MB (9 MB)', async () => {
    const big = pattern(9 * 1024 * 1024, 3);
    const events: string[] = [];
    const off = t.s3.onObjectCreated((e) => {
      if (e.s3.object.key.startsWith('big/'))
        events.push(`${e.s3.object.key} ${e.eventName} ${e.s3.object.size}`);
    });
    async function* chunks() {
      for (let i = 0; i < big.length; i += 1 << 20) yield big.subarray(i, i + (1 << 20));
    }
    await t.store.put('big/iter.bin', chunks());
    await t.store.put('big/bytes.bin', big);
    await t.store.put('big/small-stream.bin', new Blob([pattern(1234) as Uint8Array<ArrayBuffer>]).stream());
    await t.s3.drainEvents();
    off();
    // (toEqual on 9 MB arrays is pathologically slow in vitest: compare bytes directly)
    expect(Buffer.from(await t.store.get('big/iter.bin')).equals(big)).toBe(true);
    expect(Buffer.from(await t.store.get('big/bytes.bin')).equals(big)).toBe(true);
    expect((await t.store.head('big/small-stream.bin'))?.size).toBe(1234);
    expect(events.sort()).toEqual([
      `big/bytes.bin ObjectCreated:CompleteMultipartUpload ${big.length}`,
      `big/iter.bin ObjectCreated:CompleteMultipartUpload ${big.length}`,
      'big/small-stream.bin ObjectCreated:Put 1234',
    ]);
  });

  it('lists across pages (maxKeys 7 stands in for the 1000-key page) in S3 byte order, with startAfter', async () => {
    const keys: string[] = [];
    for (let i = 0; i < 60; i++) keys.push(`many/k${String(i).padStart(4, '0')}`);
    // names whose directory-walk order differs from byte order ('-' < '/' < '0')
    keys.push('many/a/b', 'many/a-c', 'many/a.d', 'many/a0', 'many/é', 'many/z', 'many/\uff01', 'many/😀');
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        for (let i = w; i < keys.length; i += 16) await t.store.put(keys[i]!, String(i));
      }),
    );
    const expected = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const all = await collect(t.store.list('many/'));
    expect(all.map((i) => i.key)).toEqual(expected);
    const paged = await collect(t.store.list('many/', { maxKeys: 7 }));
    expect(paged.map((i) => i.key)).toEqual(expected);
    const after = await collect(t.store.list('many/', { startAfter: 'many/a/b', maxKeys: 3 }));
    expect(after.map((i) => i.key)).toEqual(expected.slice(expected.indexOf('many/a/b') + 1));
    expect(all[0]?.size).toBeGreaterThan(0);
  });

  it('conditional put: ifNoneMatch refuses to overwrite (native header, enforced by startLocalS3)', async () => {
    await t.store.put('cond/one', 'first', { ifNoneMatch: true });
    const err = await t.store.put('cond/one', 'second', { ifNoneMatch: true }).catch((e) => e);
    expect(err).toBeInstanceOf(PreconditionFailedError);
    expect(err.code).toBe('precondition_failed');
    expect(text(await t.store.get('cond/one'))).toBe('first');
    // concurrent racers: exactly one wins
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => t.store.put('cond/race', `w${i}`, { ifNoneMatch: true })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    // multipart completion honours it too
    const big = pattern(9 * 1024 * 1024);
    await t.store.put('cond/big', big, { ifNoneMatch: true });
    await expect(t.store.put('cond/big', big, { ifNoneMatch: true })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
  });

  it('conditional put: emulated head-then-put mode', async () => {
    const emulated = new S3BlobStore(t.s3.client, t.s3.bucket, { conditionalWrites: 'emulated' });
    await emulated.put('cond/emu', 'a', { ifNoneMatch: true });
    await expect(emulated.put('cond/emu', 'b', { ifNoneMatch: true })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect(text(await emulated.get('cond/emu'))).toBe('a');
  });

  it('rejects keys with .. segments (InvalidKeyError) and nothing is written outside dir', async () => {
    for (const key of ['../escape.txt', 'a/../../escape.txt', '../../../escape.txt', 'a//b', './x', '']) {
      const err = await t.store.put(key, 'evil').catch((e) => e);
      expect(err).toBeInstanceOf(InvalidKeyError);
      expect(err.code).toBe('invalid_key');
    }
    // bypass the adapter: the raw SDK client against the hardened server
    for (const key of ['../escape.txt', '../../escape.txt', 'x/../../../escape.txt']) {
      const err = await t.s3.client
        .send(new PutObjectCommand({ Bucket: t.s3.bucket, Key: key, Body: 'evil' }))
        .catch((e) => e);
      expect(err?.$metadata?.httpStatusCode).toBe(400);
    }
    // a copy whose source climbs out of the bucket is refused too (nothing is read from outside)
    await writeFile(path.join(t.dir, '..', 'secret._S3rver_object'), 'secret');
    const copyErr = await t.s3.client
      .send(
        new CopyObjectCommand({
          Bucket: t.s3.bucket,
          Key: 'stolen',
          CopySource: `${t.s3.bucket}/../../secret`,
        }),
      )
      .catch((e) => e);
    expect(copyErr?.$metadata?.httpStatusCode).toBe(400);
    expect(await t.store.head('stolen')).toBeUndefined();
    await rm(path.join(t.dir, '..', 'secret._S3rver_object'));
    const files = (await readdir(t.root, { recursive: true })).map((f) => path.join(t.root, f));
    const outside = files.filter(
      (f) => !f.startsWith(t.dir + path.sep) && f !== t.dir && !t.dir.startsWith(f),
    );
    expect(outside).toEqual([]);
    expect(files.some((f) => f.includes('escape'))).toBe(false);
  });

  it('maps network failures to TransientStorageError', async () => {
    const other = await startLocalS3({ dir: path.join(t.root, 'other'), bucket: 'gone' });
    const client = new (await import('@aws-sdk/client-s3')).S3Client({
      endpoint: other.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: other.credentials,
      maxAttempts: 1,
    });
    await other.close();
    const store = new S3BlobStore(client, 'gone');
    const err = await store.get('x').catch((e) => e);
    client.destroy();
    expect(err).toBeInstanceOf(TransientStorageError);
    expect(err).toBeInstanceOf(StorageError);
    expect(err.code).toBe('storage_unavailable');
  });

  it('maps a missing bucket to a non-transient StorageError', async () => {
    const store = new S3BlobStore(t.s3.client, 'no-such-bucket');
    const err = await store.get('x').catch((e) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).not.toBeInstanceOf(NotFoundError);
    expect(err.code).toBe('storage_error');
  });
});
