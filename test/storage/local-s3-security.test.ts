/**
 * The embedded S3 server checks who is asking: AWS Signature V4 by the data folder's own key pair (header and
 * presigned forms), its own address in the Host header, no active content types made up by the request, and
 * keys that could name its own files refused — all over real sockets, signed by AWS's own signer.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startRuntime } from '@graft/local-aws';
import { startLocalS3 } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeRuntimeInfo } from '../../packages/cli/src/connection.js';
import { startTestS3, type TestS3, text } from './local-s3-fixture.js';
import { presignedPath, rawRequest, signedHeaders, targetOf } from './signed-request.js';

let t: TestS3;
const B = '/sec-bucket';
beforeAll(async () => {
  t = await startTestS3('sec-bucket');
  await t.store.put('doc.txt', 'secret text');
});
afterAll(async () => {
  await t.close();
});

const codeOf = (body: string) => /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
const sha256 = (body: string) => createHash('sha256').update(body).digest('hex');
const mode = async (file: string) => (await stat(file)).mode & 0o777;

function clientWith(credentials: { accessKeyId: string; secretAccessKey: string }): S3Client {
  return new S3Client({
    endpoint: t.s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { ...credentials },
    maxAttempts: 1,
  });
}

describe('local S3: signatures', () => {
  it('refuses unsigned List, GET, PUT and DELETE with 403 AccessDenied (S3 XML) and changes nothing', async () => {
    for (const [method, url] of [
      ['GET', `${B}?list-type=2`],
      ['GET', `${B}/doc.txt`],
      ['PUT', `${B}/planted.txt`],
      ['DELETE', `${B}/doc.txt`],
    ] as const) {
      const res = await rawRequest(t.s3.port, method, url, method === 'PUT' ? { body: 'x' } : {});
      expect([method, url, res.status, codeOf(res.body)]).toEqual([method, url, 403, 'AccessDenied']);
      expect(res.headers['content-type']).toBe('application/xml');
    }
    expect(await t.store.head('planted.txt')).toBeUndefined();
    expect(text(await t.store.get('doc.txt'))).toBe('secret text');
  });

  it('a correctly signed raw request works; a wrong secret, an unknown key or a stale date gets 403', async () => {
    const target = targetOf(t.s3);
    const ok = await rawRequest(t.s3.port, 'GET', `${B}/doc.txt`, {
      headers: await signedHeaders(target, 'GET', `${B}/doc.txt`),
    });
    expect([ok.status, ok.body]).toEqual([200, 'secret text']);

    const wrongSecret = { ...t.s3.credentials, secretAccessKey: `${t.s3.credentials.secretAccessKey}x` };
    const cases = [
      [{ ...target, credentials: wrongSecret }, new Date(), 'SignatureDoesNotMatch'],
      [
        { ...target, credentials: { ...wrongSecret, accessKeyId: 'S3RVER' } },
        new Date(),
        'InvalidAccessKeyId',
      ],
      [target, new Date(Date.now() - 20 * 60_000), 'RequestTimeTooSkewed'],
    ] as const;
    for (const [who, date, code] of cases) {
      const headers = await signedHeaders(who, 'GET', `${B}/doc.txt`, {}, date);
      const res = await rawRequest(t.s3.port, 'GET', `${B}/doc.txt`, { headers });
      expect([res.status, codeOf(res.body)]).toEqual([403, code]);
    }
    // the old fixed public credentials are refused too, through the real SDK
    const fixed = clientWith({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
    const err = await fixed
      .send(new GetObjectCommand({ Bucket: 'sec-bucket', Key: 'doc.txt' }))
      .catch((e) => e);
    fixed.destroy();
    expect([err.name, err.$metadata?.httpStatusCode]).toEqual(['InvalidAccessKeyId', 403]);
  });

  it('refuses a tampered signed request: another path, another query, another signed header, another body', async () => {
    const target = targetOf(t.s3);
    const headers = await signedHeaders(target, 'GET', `${B}/doc.txt`);
    const otherPath = await rawRequest(t.s3.port, 'GET', `${B}/other.txt`, { headers });
    expect([otherPath.status, codeOf(otherPath.body)]).toEqual([403, 'SignatureDoesNotMatch']);
    const otherQuery = await rawRequest(t.s3.port, 'GET', `${B}/doc.txt?response-content-type=text/plain`, {
      headers,
    });
    expect([otherQuery.status, codeOf(otherQuery.body)]).toEqual([403, 'SignatureDoesNotMatch']);
    const putHeaders = await signedHeaders(target, 'PUT', `${B}/t.txt`, {
      'x-amz-meta-owner': 'me',
      'x-amz-content-sha256': sha256('signed body'),
    });
    const otherMeta = await rawRequest(t.s3.port, 'PUT', `${B}/t.txt`, {
      headers: { ...putHeaders, 'x-amz-meta-owner': 'mallory' },
      body: 'signed body',
    });
    expect([otherMeta.status, codeOf(otherMeta.body)]).toEqual([403, 'SignatureDoesNotMatch']);
    const otherBody = await rawRequest(t.s3.port, 'PUT', `${B}/t.txt`, {
      headers: putHeaders,
      body: 'forged body',
    });
    expect([otherBody.status, codeOf(otherBody.body)]).toEqual([400, 'XAmzContentSHA256Mismatch']);
    expect(await t.store.head('t.txt')).toBeUndefined();
    const honest = await rawRequest(t.s3.port, 'PUT', `${B}/t.txt`, {
      headers: putHeaders,
      body: 'signed body',
    });
    expect(honest.status).toBe(200);
    expect(text(await t.store.get('t.txt'))).toBe('signed body');
  });

  it('presigned URLs: a valid one works for GET and PUT; an expired or altered one gets 403', async () => {
    const target = targetOf(t.s3);
    const get = await presignedPath(target, 'GET', `${B}/doc.txt`, 60);
    const ok = await rawRequest(t.s3.port, 'GET', get);
    expect([ok.status, ok.body]).toEqual([200, 'secret text']);
    const put = await presignedPath(target, 'PUT', `${B}/presigned.txt`, 60);
    expect((await rawRequest(t.s3.port, 'PUT', put, { body: 'via url' })).status).toBe(200);
    expect(text(await t.store.get('presigned.txt'))).toBe('via url');

    const expired = await presignedPath(target, 'GET', `${B}/doc.txt`, 60, new Date(Date.now() - 120_000));
    const late = await rawRequest(t.s3.port, 'GET', expired);
    expect([late.status, codeOf(late.body)]).toEqual([403, 'AccessDenied']);
    expect(late.body).toContain('Request has expired');
    const altered = await rawRequest(t.s3.port, 'GET', get.replace('/doc.txt', '/presigned.txt'));
    expect([altered.status, codeOf(altered.body)]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it('accepts what the SDK v3 sends by default: signed payloads and aws-chunked streams with a CRC32 trailer', async () => {
    const client = clientWith(t.s3.credentials); // default checksum settings: streams go aws-chunked
    const { Readable } = await import('node:stream');
    const bytes = Buffer.alloc(300_000, 7);
    await client.send(
      new PutObjectCommand({
        Bucket: 'sec-bucket',
        Key: 'stream.bin',
        Body: Readable.from([bytes.subarray(0, 100_000), bytes.subarray(100_000)]),
        ContentLength: bytes.length,
      }),
    );
    await client.send(new PutObjectCommand({ Bucket: 'sec-bucket', Key: 'small.txt', Body: 'hi' }));
    client.destroy();
    expect(Buffer.from(await t.store.get('stream.bin')).equals(bytes)).toBe(true);
    expect(text(await t.store.get('small.txt'))).toBe('hi');
    const head = await rawRequest(t.s3.port, 'HEAD', `${B}/stream.bin`, {
      headers: await signedHeaders(targetOf(t.s3), 'HEAD', `${B}/stream.bin`),
    });
    expect(head.headers['content-encoding']).toBeUndefined(); // aws-chunked is transport, not stored
  });
});

describe('local S3: aws-chunked bodies', () => {
  const crc32 = (text: string) => {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(zlib.crc32(text) >>> 0);
    return out.toString('base64');
  };
  const put = async (key: string, body: string, decodedLength: number) => {
    const url = `${B}/${key}`;
    const headers = await signedHeaders(targetOf(t.s3), 'PUT', url, {
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(decodedLength),
      'x-amz-trailer': 'x-amz-checksum-crc32',
    });
    return rawRequest(t.s3.port, 'PUT', url, { headers, body });
  };

  it('decodes chunks and checks the trailing CRC32; a wrong checksum or broken framing stores nothing', async () => {
    const ok = await put(
      'chunked.txt',
      `5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:${crc32('hello world')}\r\n\r\n`,
      11,
    );
    expect(ok.status).toBe(200);
    expect(text(await t.store.get('chunked.txt'))).toBe('hello world');
    const wrong = await put(
      'wrong.txt',
      `5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${crc32('hellO')}\r\n\r\n`,
      5,
    );
    expect([wrong.status, codeOf(wrong.body)]).toEqual([400, 'BadDigest']);
    const broken = await put('broken.txt', '5\r\nhelloXX0\r\n\r\n', 5);
    expect([broken.status, codeOf(broken.body)]).toEqual([400, 'IncompleteBody']);
    const short = await put(
      'short.txt',
      `5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${crc32('hello')}\r\n\r\n`,
      6,
    );
    expect([short.status, codeOf(short.body)]).toEqual([400, 'IncompleteBody']);
    for (const key of ['wrong.txt', 'broken.txt', 'short.txt'])
      expect(await t.store.head(key)).toBeUndefined();
  });
});

describe('local S3: Host header', () => {
  it('answers a Host that is not its own loopback address and port with 400, signed or not', async () => {
    const port = t.s3.port;
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`]) {
      const unsigned = await rawRequest(port, 'GET', `${B}/doc.txt`, { headers: { host } });
      expect([host, unsigned.status, codeOf(unsigned.body)]).toEqual([host, 400, 'InvalidHostHeader']);
      const headers = await signedHeaders(targetOf(t.s3, { host }), 'GET', `${B}/doc.txt`);
      const signed = await rawRequest(port, 'GET', `${B}/doc.txt`, { headers });
      expect([host, signed.status]).toEqual([host, 400]);
    }
    const local = await signedHeaders(targetOf(t.s3, { host: `localhost:${port}` }), 'GET', `${B}/doc.txt`);
    expect((await rawRequest(port, 'GET', `${B}/doc.txt`, { headers: local })).status).toBe(200);
  });

  it('allowHost adds a loopback proxy address only, and can withdraw it', async () => {
    expect(() => t.s3.allowHost('evil.example:80')).toThrow(/loopback/);
    const host = '127.0.0.1:1';
    const withdraw = t.s3.allowHost(host);
    const headers = await signedHeaders(targetOf(t.s3, { host }), 'GET', `${B}/doc.txt`);
    expect((await rawRequest(t.s3.port, 'GET', `${B}/doc.txt`, { headers })).status).toBe(200);
    withdraw();
    expect((await rawRequest(t.s3.port, 'GET', `${B}/doc.txt`, { headers })).status).toBe(400);
  });
});

describe('local S3: content types and collisions', () => {
  const get = async (pathAndQuery: string) =>
    rawRequest(t.s3.port, 'GET', pathAndQuery, {
      headers: await signedHeaders(targetOf(t.s3), 'GET', pathAndQuery),
    });

  it('refuses response-content-type overrides to active types; every answer says nosniff and sandboxes objects', async () => {
    for (const type of [
      'text/html',
      'TEXT/HTML; charset=utf-8',
      'image/svg+xml',
      'application/xml',
      'text/javascript',
    ]) {
      const res = await get(`${B}/doc.txt?response-content-type=${encodeURIComponent(type)}`);
      expect([type, res.status, codeOf(res.body)]).toEqual([type, 400, 'InvalidArgument']);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    const plain = await get(`${B}/doc.txt?response-content-type=text/plain`);
    expect([plain.status, plain.headers['content-type']]).toEqual([200, 'text/plain']);
    expect(plain.headers['x-content-type-options']).toBe('nosniff');
    expect(plain.headers['content-security-policy']).toContain('sandbox');
  });

  it('serves an object as HTML only when it was stored so, and then sandboxed', async () => {
    await t.store.put('page.html', '<script>1</script>', { contentType: 'text/html' });
    const res = await get(`${B}/page.html`);
    expect([res.status, res.headers['content-type']]).toEqual([200, 'text/html']);
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    const untyped = await get(`${B}/doc.txt`);
    expect(untyped.headers['content-type']).not.toMatch(/html|xml|svg/);
  });

  it("maps keys that use the server's own file names to 400, logging nothing", async () => {
    const errors = vi.spyOn(console, 'error');
    try {
      await t.store.put('x', 'object x');
      for (const key of [
        'x._S3rver_object/y',
        'x._S3rver_metadata.json',
        '._S3rver_uploads/a',
        'a/b.graft-tmp',
        'X._s3RVER_OBJECT/z',
      ]) {
        const url = `${B}/${key.split('/').map(encodeURIComponent).join('/')}`;
        const headers = await signedHeaders(targetOf(t.s3), 'PUT', url);
        const res = await rawRequest(t.s3.port, 'PUT', url, { headers, body: 'collide' });
        expect([key, res.status, codeOf(res.body)]).toEqual([key, 400, 'InvalidArgument']);
        const read = await get(url);
        expect([key, read.status]).toEqual([key, 400]);
      }
      expect(text(await t.store.get('x'))).toBe('object x');
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
  });
});

describe('local S3: the key pair on disk', () => {
  it('is generated once per data folder (0600, folder 0700), kept across restarts, different per folder', async () => {
    const file = path.join(t.dir, '.graft-s3-credentials.json');
    expect(await mode(file)).toBe(0o600);
    expect(await mode(t.dir)).toBe(0o700);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(t.s3.credentials);
    expect(t.s3.credentials.secretAccessKey.length).toBeGreaterThanOrEqual(40);
    const other = await startLocalS3({ dir: path.join(t.root, 'other'), bucket: 'other-bucket' });
    const again = await startLocalS3({ dir: path.join(t.root, 'other'), bucket: 'other-bucket' });
    try {
      expect(other.credentials.accessKeyId).not.toBe(t.s3.credentials.accessKeyId);
      expect(again.credentials).toEqual(other.credentials);
    } finally {
      await Promise.all([other.close(), again.close()]);
    }
  });

  it('graft start keeps its data folder 0700 and runtime.json (with the key pair) 0600', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'graft-sec-runtime-'));
    const runtime = await startRuntime({ dataDir: root, port: 0, workers: 1, log: () => {} });
    try {
      const { apiUrl, token, s3Endpoint, s3Credentials, bucket } = runtime;
      await writeRuntimeInfo(root, { apiUrl, token, s3Endpoint, s3Credentials, bucket, pid: process.pid });
      expect(await mode(root)).toBe(0o700);
      expect(await mode(path.join(root, 'runtime.json'))).toBe(0o600);
      expect(await mode(path.join(root, 's3', '.graft-s3-credentials.json'))).toBe(0o600);
      const info = JSON.parse(await readFile(path.join(root, 'runtime.json'), 'utf8'));
      expect(info.s3Credentials).toEqual(s3Credentials);
      await runtime.store.put('hello.txt', 'signed by the runtime');
      expect(text(await runtime.store.get('hello.txt'))).toBe('signed by the runtime');
    } finally {
      await runtime.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
