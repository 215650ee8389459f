import { CopyObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { decodeS3EventKey, encodeS3EventKey, type S3EventRecordJson } from '@graft/storage';
import type { S3EventRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3, type TestS3 } from './local-s3-fixture.js';

let t: TestS3;
beforeAll(async () => {
  t = await startTestS3('events-bucket');
});
afterAll(async () => {
  await t.close();
});

describe('encodeS3EventKey / decodeS3EventKey', () => {
  it.each([
    ['plain/key.jpg', 'plain/key.jpg'],
    ['my photo.jpg', 'my+photo.jpg'],
    ['a+b.jpg', 'a%2Bb.jpg'],
    ['100%.png', '100%25.png'],
    ['chat/é ü.jpg', 'chat/%C3%A9+%C3%BC.jpg'],
    ["x (1)!~'*.jpg", 'x+%281%29%21%7E%27*.jpg'],
    ['a=b&c?d#e:f,g;h@i$', 'a%3Db%26c%3Fd%23e%3Af%2Cg%3Bh%40i%24'],
    ['猫/🐱.png', '%E7%8C%AB/%F0%9F%90%B1.png'],
  ])('%s ↔ %s', (raw, encoded) => {
    expect(encodeS3EventKey(raw)).toBe(encoded);
    expect(decodeS3EventKey(encoded)).toBe(raw);
  });
});

describe('startLocalS3', () => {
  it('binds 127.0.0.1 on a free port and reports it', () => {
    expect(t.s3.port).toBeGreaterThan(0);
    expect(t.s3.endpoint).toBe(`http://127.0.0.1:${t.s3.port}`);
  });

  it('emits S3-shaped object-created records with S3 key encoding', async () => {
    const records: S3EventRecordJson[] = [];
    const off = t.s3.onObjectCreated((r) => {
      records.push(r);
    });
    const weird = ['up/my cat.jpg', 'up/a+b.jpg', 'up/100%.jpg', 'up/ünï cødé 🐱.png'];
    for (const key of weird) await t.store.put(key, `body of ${key}`);
    await t.s3.client.send(
      new CopyObjectCommand({
        Bucket: t.s3.bucket,
        Key: 'up/copy of cat.jpg',
        CopySource: `${t.s3.bucket}/up/${encodeURIComponent('my cat.jpg')}`,
      }),
    );
    await t.s3.client.send(new DeleteObjectCommand({ Bucket: t.s3.bucket, Key: 'up/a+b.jpg' }));
    await t.s3.drainEvents();
    off();
    await t.store.put('up/after-unsubscribe', 'x');
    await t.s3.drainEvents();

    expect(records.map((r) => r.s3.object.key)).toEqual([
      'up/my+cat.jpg',
      'up/a%2Bb.jpg',
      'up/100%25.jpg',
      'up/%C3%BCn%C3%AF+c%C3%B8d%C3%A9+%F0%9F%90%B1.png',
      'up/copy+of+cat.jpg',
    ]);
    expect(records.map((r) => decodeS3EventKey(r.s3.object.key))).toEqual([...weird, 'up/copy of cat.jpg']);
    expect(records.map((r) => r.eventName)).toEqual([
      'ObjectCreated:Put',
      'ObjectCreated:Put',
      'ObjectCreated:Put',
      'ObjectCreated:Put',
      'ObjectCreated:Copy',
    ]);
    const seqs = records.map((r) => r.s3.object.sequencer);
    expect([...seqs].sort()).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);

    const first = records[0]!;
    const head = await t.store.head('up/my cat.jpg');
    // exactly the keys AWS sends, nothing more
    expect(Object.keys(first).sort()).toEqual(
      [
        'awsRegion',
        'eventName',
        'eventSource',
        'eventTime',
        'eventVersion',
        'requestParameters',
        'responseElements',
        's3',
        'userIdentity',
      ].sort(),
    );
    expect(first).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: 'events-bucket', arn: 'arn:aws:s3:::events-bucket' },
        object: { size: 'body of up/my cat.jpg'.length, eTag: head!.etag },
      },
    });
    expect(Object.keys(first.s3.object).sort()).toEqual(['eTag', 'key', 'sequencer', 'size']);
    expect(first.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(first.s3.object.sequencer).toMatch(/^[0-9A-F]{18}$/);
    // the copy gets the eTag of the new object
    expect(records[4]!.s3.object.eTag).toBe(head!.etag);
    // structurally an aws-lambda S3EventRecord
    const typed: S3EventRecord = first;
    expect(typed.s3.bucket.name).toBe('events-bucket');
  });

  it('keeps delivering when a listener throws', async () => {
    const errors: unknown[] = [];
    const s3 = t.s3;
    const seen: string[] = [];
    const offBad = s3.onObjectCreated(() => {
      throw new Error('boom');
    });
    const offGood = s3.onObjectCreated((r) => {
      seen.push(r.s3.object.key);
    });
    const origError = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      await t.store.put('listener/one', '1');
      await t.store.put('listener/two', '2');
      await s3.drainEvents();
    } finally {
      console.error = origError;
      offBad();
      offGood();
    }
    expect(seen).toEqual(['listener/one', 'listener/two']);
    expect(errors).toHaveLength(2);
  });
});
