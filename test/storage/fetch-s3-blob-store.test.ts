/**
 * FetchS3BlobStore (fetch + SigV4, no SDK) against the embedded S3 server: what it writes the SDK-based store reads
 * back and the other way round, with the same typed errors.
 */
import { hasCode } from '@graft/errors';
import { FetchS3BlobStore } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startTestS3, type TestS3, text } from './local-s3-fixture.js';

let t: TestS3;
let store: FetchS3BlobStore;
beforeAll(async () => {
  t = await startTestS3();
  store = new FetchS3BlobStore({
    endpoint: t.s3.endpoint,
    bucket: t.s3.bucket,
    credentials: t.s3.credentials,
  });
});
afterAll(() => t?.close());

describe('FetchS3BlobStore', () => {
  it('puts, gets, heads, lists and deletes keys with spaces and plus signs like the SDK store', async () => {
    await store.put('models/a b+c/current.json', '{"version":3}', { contentType: 'application/json' });
    await t.store.put('models/a b+c/versions/1/weights.bin', new Uint8Array([1, 2, 3]));
    expect(text(await t.store.get('models/a b+c/current.json'))).toBe('{"version":3}');
    expect([...(await store.get('models/a b+c/versions/1/weights.bin'))]).toEqual([1, 2, 3]);
    const info = await store.head('models/a b+c/current.json');
    expect(info).toMatchObject({ size: 13, contentType: 'application/json' });
    expect(info?.etag).toBe((await t.store.head('models/a b+c/current.json'))?.etag);
    const listed = await collect(store.list('models/a b+c/', { maxKeys: 1 }));
    expect(listed.map((i) => i.key)).toEqual(
      (await collect(t.store.list('models/a b+c/'))).map((i) => i.key),
    );
    expect(listed).toHaveLength(2);
    await store.delete('models/a b+c/current.json');
    expect(await store.head('models/a b+c/current.json')).toBeUndefined();
    await store.delete('models/a b+c/current.json');
  });

  it('maps a missing key to not_found and a conditional put over an existing key to precondition_failed', async () => {
    await expect(store.get('nothing/here')).rejects.toSatisfy((e) => hasCode(e, 'not_found'));
    await store.put('jobs/one.json', '{}', { ifNoneMatch: true });
    await expect(store.put('jobs/one.json', '{}', { ifNoneMatch: true })).rejects.toSatisfy((e) =>
      hasCode(e, 'precondition_failed'),
    );
  });

  it('reports an unreachable endpoint as a transient storage error', async () => {
    const closed = new FetchS3BlobStore({
      endpoint: 'http://127.0.0.1:9',
      bucket: 'graft-test',
      credentials: t.s3.credentials,
    });
    await expect(closed.get('a')).rejects.toSatisfy((e) => hasCode(e, 'storage_unavailable'));
  });
});
