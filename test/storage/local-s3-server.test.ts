/**
 * The embedded S3 server behind `startLocalS3` on what the store-level tests do not reach: multipart with real
 * 5 MiB parts, ranges, racing conditional writes, crash leftovers, malformed requests, restarts on the same
 * directory (including data in the s3rver layout of earlier versions).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { S3BlobStore, type S3EventRecordJson, startLocalS3 } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startTestS3, type TestS3, text } from './local-s3-fixture.js';
import { rawRequest, signedHeaders, targetOf } from './signed-request.js';

let t: TestS3;
beforeAll(async () => {
  t = await startTestS3('server-bucket');
});
afterAll(async () => {
  await t.close();
});

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest();

function pattern(size: number, seed = 11): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/**
 * A raw HTTP request to the server (what a misbehaving but authenticated client sends: signed with the server's
 * key pair, payload unsigned), answered with status, headers and text.
 */
async function raw(
  method: string,
  pathAndQuery: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const headers = await signedHeaders(targetOf(t.s3), method, pathAndQuery, options.headers);
  return rawRequest(t.s3.port, method, pathAndQuery, { ...options, headers });
}

describe('local S3 server: multipart uploads', () => {
  it('round-trips a 6 MiB + 1 KiB upload with S3 multipart ETag and a CompleteMultipartUpload event', async () => {
    const { client, bucket } = t.s3;
    const key = 'multi/part.bin';
    const parts = [pattern(6 * 1024 * 1024, 1), pattern(1024, 2)];
    const records: S3EventRecordJson[] = [];
    const off = t.s3.onObjectCreated((r) => {
      records.push(r);
    });
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: 'application/x-test' }),
    );
    expect(UploadId).toBeTruthy();
    const etags: string[] = [];
    for (const [i, body] of parts.entries()) {
      const out = await client.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body }),
      );
      expect(out.ETag).toBe(`"${md5(body).toString('hex')}"`);
      etags.push(out.ETag!);
    }
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    const expectedEtag = `${md5(Buffer.concat(parts.map(md5))).toString('hex')}-2`;
    expect(done.ETag).toBe(`"${expectedEtag}"`);
    await t.s3.drainEvents();
    off();
    const whole = Buffer.concat(parts);
    expect(Buffer.from(await t.store.get(key)).equals(whole)).toBe(true);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head).toMatchObject({ ContentLength: whole.length, ContentType: 'application/x-test' });
    expect(records.map((r) => [r.eventName, r.s3.object.key, r.s3.object.size, r.s3.object.eTag])).toEqual([
      ['ObjectCreated:CompleteMultipartUpload', key, whole.length, expectedEtag],
    ]);
  });

  it('refuses parts below 5 MiB except the last, unknown parts and aborted uploads', async () => {
    const { client, bucket } = t.s3;
    const key = 'multi/small.bin';
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const a = await client.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: pattern(100) }),
    );
    const b = await client.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 2, Body: pattern(100, 3) }),
    );
    const complete = (Parts: { ETag: string; PartNumber: number }[]) =>
      client
        .send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId,
            MultipartUpload: { Parts },
          }),
        )
        .catch((e) => e);
    const tooSmall = await complete([
      { ETag: a.ETag!, PartNumber: 1 },
      { ETag: b.ETag!, PartNumber: 2 },
    ]);
    expect([tooSmall.name, tooSmall.$metadata.httpStatusCode]).toEqual(['EntityTooSmall', 400]);
    const wrongEtag = await complete([{ ETag: b.ETag!, PartNumber: 1 }]);
    expect([wrongEtag.name, wrongEtag.$metadata.httpStatusCode]).toEqual(['InvalidPart', 400]);
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }));
    const gone = await complete([{ ETag: a.ETag!, PartNumber: 1 }]);
    expect([gone.name, gone.$metadata.httpStatusCode]).toEqual(['NoSuchUpload', 404]);
    expect(await t.store.head(key)).toBeUndefined();
    const uploads = await readdir(path.join(t.dir, t.s3.bucket, '._S3rver_uploads'));
    expect(uploads).toEqual([]);
  });
});

describe('local S3 server: reads', () => {
  it.each([
    ['small (read in one call)', 1000],
    ['large (streamed)', 700_000],
  ])('answers Range GETs on a %s object', async (_, size) => {
    const key = `range/${size}.bin`;
    const body = pattern(size, 5);
    await t.store.put(key, body);
    const get = async (Range: string) => {
      const out = await t.s3.client.send(new GetObjectCommand({ Bucket: t.s3.bucket, Key: key, Range }));
      return { bytes: Buffer.from(await out.Body!.transformToByteArray()), range: out.ContentRange };
    };
    expect(await get('bytes=0-9')).toEqual({ bytes: body.subarray(0, 10), range: `bytes 0-9/${size}` });
    expect(await get('bytes=-5')).toEqual({
      bytes: body.subarray(size - 5),
      range: `bytes ${size - 5}-${size - 1}/${size}`,
    });
    expect(await get(`bytes=${size - 3}-`)).toEqual({
      bytes: body.subarray(size - 3),
      range: `bytes ${size - 3}-${size - 1}/${size}`,
    });
    expect((await get(`bytes=10-${size * 2}`)).bytes.equals(body.subarray(10))).toBe(true);
    const beyond = await get(`bytes=${size}-`).catch((e) => e);
    expect([beyond.name, beyond.$metadata.httpStatusCode]).toEqual(['InvalidRange', 416]);
  });
});

describe('local S3 server: conditional writes', () => {
  it('20 concurrent If-None-Match: * PUTs of one key: exactly one wins, the rest get 412', async () => {
    const { client, bucket } = t.s3;
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        client.send(
          new PutObjectCommand({ Bucket: bucket, Key: 'cond/twenty', Body: `writer ${i}`, IfNoneMatch: '*' }),
        ),
      ),
    );
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    const statuses = results.flatMap((r) =>
      r.status === 'rejected'
        ? [(r.reason as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode]
        : [],
    );
    expect(statuses).toEqual(Array(19).fill(412));
    expect(text(await t.store.get('cond/twenty'))).toBe(`writer ${won[0]}`);
  });
});

describe('local S3 server: malformed requests', () => {
  it('answers garbage with 4xx/501 S3 errors and keeps serving', async () => {
    await t.store.put('bad/ok.txt', 'still here');
    const { UploadId } = await t.s3.client.send(
      new CreateMultipartUploadCommand({ Bucket: t.s3.bucket, Key: 'bad/multi' }),
    );
    const cases: [string, string, { headers?: Record<string, string>; body?: string }, number, string][] = [
      [
        'POST',
        `/server-bucket/bad/multi?uploadId=${UploadId}`,
        { body: '<CompleteMultipartUpload><Part>' },
        400,
        'MalformedXML',
      ],
      [
        'POST',
        `/server-bucket/bad/multi?uploadId=${UploadId}`,
        { body: '\u0000\u0001 not xml' },
        400,
        'MalformedXML',
      ],
      ['POST', '/server-bucket/bad/multi?uploadId=..%2F..%2Fetc', { body: '<x/>' }, 404, 'NoSuchUpload'],
      ['GET', '/server-bucket/bad/ok.txt', { headers: { range: 'bytes=z' } }, 416, 'InvalidRange'],
      ['GET', '/server-bucket/bad/ok.txt', { headers: { range: 'bytes=5-2' } }, 416, 'InvalidRange'],
      ['GET', '/server-bucket/bad/ok.txt?tagging', {}, 501, 'NotImplemented'],
      ['PUT', '/server-bucket/bad/ok.txt?acl', { body: 'x' }, 501, 'NotImplemented'],
      ['POST', '/server-bucket?delete', { body: '<Delete/>' }, 501, 'NotImplemented'],
      ['GET', '/server-bucket/bad/%E0%A4%A', {}, 400, 'InvalidURI'],
      ['PUT', '/server-bucket/a/../../../escape', { body: 'x' }, 400, 'InvalidArgument'],
      ['PUT', `/server-bucket/${'s'.repeat(201)}`, { body: 'x' }, 400, 'InvalidArgument'],
      ['PUT', `/server-bucket/${'k/'.repeat(520)}x`, { body: 'x' }, 400, 'KeyTooLongError'],
      ['GET', '/server-bucket?list-type=2&continuation-token=garbage', {}, 400, 'InvalidArgument'],
      ['GET', '/server-bucket?list-type=2&max-keys=-1', {}, 400, 'InvalidArgument'],
      ['GET', '/other-bucket/x', {}, 404, 'NoSuchBucket'],
      ['PATCH', '/server-bucket/bad/ok.txt', {}, 405, 'MethodNotAllowed'],
      [
        'PUT',
        '/server-bucket/bad/chunked',
        { headers: { 'content-encoding': 'aws-chunked' }, body: '0\r\n\r\n' },
        501,
        'NotImplemented',
      ],
      [
        'PUT',
        '/server-bucket/bad/md5',
        { headers: { 'content-md5': md5(Buffer.from('y')).toString('base64') }, body: 'x' },
        400,
        'BadDigest',
      ],
    ];
    for (const [method, url, options, status, code] of cases) {
      const res = await raw(method, url, options);
      expect([method, url, res.status, /<Code>([^<]+)<\/Code>/.exec(res.body)?.[1]]).toEqual([
        method,
        url,
        status,
        code,
      ]);
    }
    expect(text(await t.store.get('bad/ok.txt'))).toBe('still here');
    expect(await t.store.head('bad/md5')).toBeUndefined();
  });

  it('refuses a declared body over 5 GiB before reading it', async () => {
    const headers = await signedHeaders(targetOf(t.s3), 'PUT', '/server-bucket/huge.bin', {
      'content-length': String(6 * 1024 ** 3),
    });
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: t.s3.port,
          method: 'PUT',
          path: '/server-bucket/huge.bin',
          headers,
          agent: false,
        },
        (response) => {
          let body = '';
          response.on('data', (c) => {
            body += c;
          });
          response.on('end', () => {
            req.destroy();
            resolve({ status: response.statusCode ?? 0, body });
          });
        },
      );
      req.on('error', reject);
      req.write('a few bytes, then nothing');
    });
    expect(res.status).toBe(400);
    expect(res.body).toContain('<Code>EntityTooLarge</Code>');
    expect(await t.store.head('huge.bin')).toBeUndefined();
    expect(text(await t.store.get('bad/ok.txt'))).toBe('still here');
  });
});

describe('local S3 server: listing', () => {
  it('pages with a delimiter: common prefixes count towards MaxKeys and appear once', async () => {
    const keys = ['dl/a/1', 'dl/a/2', 'dl/a/3', 'dl/b', 'dl/c/1', 'dl/d', 'dl/e/x/y'];
    for (const key of keys) await t.store.put(key, key);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await t.s3.client.send(
        new ListObjectsV2Command({
          Bucket: t.s3.bucket,
          Prefix: 'dl/',
          Delimiter: '/',
          MaxKeys: 2,
          ContinuationToken: token,
        }),
      );
      expect(page.KeyCount).toBe((page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0));
      expect(page.KeyCount).toBeLessThanOrEqual(2);
      seen.push(
        ...(page.Contents ?? []).map((c) => c.Key!),
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!),
      );
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      pages++;
    } while (token);
    expect(seen.sort()).toEqual(['dl/a/', 'dl/b', 'dl/c/', 'dl/d', 'dl/e/']);
    expect(pages).toBe(3);
  });
});

describe('local S3 server: restarts and crash leftovers', () => {
  it('a restart on the same directory sees the same objects, including s3rver-layout ones, and no temp files', async () => {
    const dir = path.join(t.root, 'restart');
    const first = await startLocalS3({ dir, bucket: 'keep' });
    const store1 = new S3BlobStore(first.client, first.bucket);
    await store1.put('docs/a.json', '{"a":1}', {
      contentType: 'application/json',
      metadata: { owner: 'me' },
    });
    await store1.put('docs/b.bin', pattern(300_000));
    await store1.put('docs/replaced', 'old');
    await store1.put('docs/replaced', 'new version');
    await store1.put('docs/gone', 'x');
    await store1.delete('docs/gone');
    const before = await collect(store1.list('docs/'));
    await first.close();

    const bucketDir = path.join(dir, 'keep');
    // written by s3rver (Graft ≤ 0.1): body + metadata + md5 files; and one whose md5 file is missing
    await mkdir(path.join(bucketDir, 'legacy'), { recursive: true });
    await writeFile(path.join(bucketDir, 'legacy', 'old.txt._S3rver_object'), 'from s3rver');
    await writeFile(
      path.join(bucketDir, 'legacy', 'old.txt._S3rver_metadata.json'),
      JSON.stringify({ 'content-type': 'text/plain', 'x-amz-meta-origin': 's3rver' }),
    );
    await writeFile(
      path.join(bucketDir, 'legacy', 'old.txt._S3rver_object.md5'),
      md5(Buffer.from('from s3rver')).toString('hex'),
    );
    await writeFile(path.join(bucketDir, 'legacy', 'no-md5._S3rver_object'), 'no md5 file');
    // an MD5 file older than its body describes an earlier version: ignored
    await writeFile(
      path.join(bucketDir, 'legacy', 'stale._S3rver_object.md5'),
      md5(Buffer.from('v1')).toString('hex'),
    );
    await utimes(path.join(bucketDir, 'legacy', 'stale._S3rver_object.md5'), 1_000_000, 1_000_000);
    await writeFile(path.join(bucketDir, 'legacy', 'stale._S3rver_object'), 'v2');
    // crash leftovers: a half-written body and metadata of an interrupted write, and an old-style temp file
    await writeFile(path.join(bucketDir, 'docs', 'c._S3rver_object.x1-9.graft-tmp'), 'half');
    await writeFile(path.join(bucketDir, 'docs', 'c._S3rver_metadata.json.x1-a.graft-tmp'), '{');
    await writeFile(path.join(bucketDir, 'docs', 'd._S3rver_object.0123456789ab.tmp'), 'half');
    // a crash between the two renames of an overwrite: the body is new, the metadata document still the old one's
    await writeFile(path.join(bucketDir, 'docs', 'a.json._S3rver_object'), '{"a":2}');

    const second = await startLocalS3({ dir, bucket: 'keep' });
    try {
      const store2 = new S3BlobStore(second.client, second.bucket);
      const after = await collect(store2.list('docs/'));
      expect(after.map((i) => i.key)).toEqual(['docs/a.json', 'docs/b.bin', 'docs/replaced']);
      expect(after.map((i) => [i.key, i.size, i.etag])).toEqual([
        ['docs/a.json', 7, md5(Buffer.from('{"a":2}')).toString('hex')],
        ...before.slice(1).map((i) => [i.key, i.size, i.etag]),
      ]);
      expect(after.slice(1).map((i) => i.lastModified)).toEqual(before.slice(1).map((i) => i.lastModified));
      expect(text(await store2.get('docs/replaced'))).toBe('new version');
      expect(Buffer.from(await store2.get('docs/b.bin')).equals(pattern(300_000))).toBe(true);
      const meta = await second.client.send(new HeadObjectCommand({ Bucket: 'keep', Key: 'docs/a.json' }));
      expect(meta).toMatchObject({ ContentType: 'application/json', Metadata: { owner: 'me' } });

      const legacy = await second.client.send(
        new GetObjectCommand({ Bucket: 'keep', Key: 'legacy/old.txt' }),
      );
      expect(await legacy.Body!.transformToString()).toBe('from s3rver');
      expect(legacy).toMatchObject({
        ContentType: 'text/plain',
        Metadata: { origin: 's3rver' },
        ETag: `"${md5(Buffer.from('from s3rver')).toString('hex')}"`,
      });
      expect((await store2.head('legacy/no-md5'))?.etag).toBe(
        md5(Buffer.from('no md5 file')).toString('hex'),
      );
      expect((await store2.head('legacy/no-md5'))?.contentType).toBe('binary/octet-stream');
      expect((await store2.head('legacy/stale'))?.etag).toBe(md5(Buffer.from('v2')).toString('hex'));
      const files = await readdir(path.join(bucketDir, 'docs'));
      expect(files.filter((f) => f.includes('tmp'))).toEqual([]);
    } finally {
      await second.close();
    }
  });
});
