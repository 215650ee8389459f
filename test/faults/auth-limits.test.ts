/**
 * Who gets in and what is refused: bearer auth and body limits on the real API over a real socket, the model URL
 * allow-list, and model.json weight paths that try to leave their directory or origin.
 */

import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ApiStack, grayPng, startApiStack, tinyModelFiles } from '@graft/bench';
import { checkModelUrl, fetchModelUrl, readModelDir, SourceNotAllowedError } from '@graft/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSafeWeightPath } from '../../packages/core/src/backbone/model-json.js';

const LIMIT = 64 * 1024;
let root: string;
let stack: ApiStack;
let files: Awaited<ReturnType<typeof tinyModelFiles>>;
let modelServer: http.Server;
let modelOrigin: string;
const served: string[] = [];
const routes = new Map<string, Uint8Array | string>();

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'graft-auth-limits-'));
  stack = await startApiStack({ dir: root, bodyLimitBytes: LIMIT, defaultModel: 'tiny' });
  files = await tinyModelFiles(1);
  await stack.registry.publish('tiny', { ...files, report: {} });
  modelServer = http.createServer((req, res) => {
    served.push(req.url ?? '');
    const body = routes.get(req.url ?? '');
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200).end(body);
  });
  await new Promise<void>((r) => modelServer.listen(0, '127.0.0.1', r));
  modelOrigin = `http://127.0.0.1:${(modelServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await stack?.close();
  modelServer?.close();
  await rm(root, { recursive: true, force: true });
});

const call = (p: string, init: RequestInit = {}) => fetch(`${stack.url}${p}`, init);
const codeOf = async (res: Response) => ((await res.json()) as { error?: { code: string } }).error?.code;

describe('bearer auth on /v1', () => {
  it('no token, a wrong token (any length, any position of the difference) or another scheme: 401; the token: 200', async () => {
    const token = stack.token;
    const flip = (i: number) => token.slice(0, i) + (token[i] === 'x' ? 'y' : 'x') + token.slice(i + 1);
    const wrong = [
      undefined,
      'Bearer',
      'Bearer ',
      `Basic ${btoa(`user:${token}`)}`,
      `Bearer ${flip(0)}`,
      `Bearer ${flip(token.length - 1)}`,
      `Bearer ${token.slice(0, -1)}`,
      `Bearer ${token}x`,
      `Bearer ${token.toUpperCase()}`,
      `Bearer ${'a'.repeat(10_000)}`,
      `Bearer ${token} extra`,
    ];
    for (const authorization of wrong) {
      const res = await call('/v1/models', { headers: authorization === undefined ? {} : { authorization } });
      expect(res.status, String(authorization).slice(0, 40)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="graft"/);
      expect(await codeOf(res)).toBe('unauthorized');
    }
    // also for routes that do not exist and for predict: auth comes first, nothing leaks
    expect((await call('/v1/nope')).status).toBe(401);
    expect((await call('/v1/models/tiny/predict', { method: 'POST', body: 'x' })).status).toBe(401);
    const ok = await call('/v1/models', { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect((await call('/v1/models', { headers: { authorization: `bearer   ${token}` } })).status).toBe(200);
    // health and readiness stay public
    expect((await call('/health')).status).toBe(200);
  });
});

describe('request limits', () => {
  const auth = () => ({ authorization: `Bearer ${stack.token}` });

  it('a body over the limit is 413 payload_too_large, with or without a content-length', async () => {
    const big = new Uint8Array(LIMIT + 1).fill(7);
    const res = await call('/v1/models/tiny/predict', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/octet-stream' },
      body: big,
    });
    expect(res.status).toBe(413);
    expect(await codeOf(res)).toBe('payload_too_large');
    // chunked: no content-length, the limit is enforced while reading
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${stack.url}/v1/models/tiny/predict`, {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
      });
      req.on('response', (r) => {
        let body = '';
        r.on('data', (c) => {
          body += c;
        });
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      for (let i = 0; i < 5; i++) req.write(new Uint8Array(LIMIT / 4));
      req.end();
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error.code).toBe('payload_too_large');
    // a JSON body with a base64 image over the limit too
    const json = await call('/v1/models/tiny/predict', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ image: Buffer.from(big).toString('base64') }),
    });
    expect(json.status).toBe(413);
    // just under the limit is served
    const png = await grayPng(30);
    const small = await call('/v1/models/tiny/predict', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'image/png' },
      body: png,
    });
    expect(small.status).toBe(200);
  });
});

describe('model URLs: allow-list only', () => {
  const publicDns = async () => ['93.184.216.34'];
  it('refuses origins not listed, link-local/loopback/private hosts unless the IP itself is listed, other schemes', async () => {
    const refused: [string, string[], ((h: string) => Promise<string[]>)?][] = [
      [`${modelOrigin}/model.json`, []],
      ['http://169.254.169.254/latest/meta-data/model.json', ['https://models.example.com']],
      ['http://169.254.169.254/model.json', ['http://169.254.169.254']], // plain http beyond loopback
      ['https://10.1.2.3/model.json', ['https://models.example.com']],
      ['https://models.example.com/model.json', ['https://models.example.com'], async () => ['10.0.0.5']],
      ['https://models.example.com/model.json', ['https://models.example.com'], async () => ['169.254.1.1']],
      [
        'https://models.example.com/model.json',
        ['https://models.example.com'],
        async () => ['::ffff:127.0.0.1'],
      ],
      ['https://models.example.com/model.json', ['https://models.example.com'], async () => ['fd00::1']],
      ['https://evil.example.com/model.json', ['https://models.example.com'], publicDns],
      ['file:///etc/passwd', ['file://']],
      ['ftp://models.example.com/model.json', ['ftp://models.example.com']],
      ['https://user:pw@models.example.com/model.json', ['https://models.example.com'], publicDns],
      ['http://2130706433/model.json', ['https://models.example.com']], // 127.0.0.1 in decimal
    ];
    for (const [url, allow, lookup] of refused) {
      await expect(checkModelUrl(url, allow, lookup), url).rejects.toBeInstanceOf(SourceNotAllowedError);
    }
    expect(served).toEqual([]); // nothing was requested
    // listed: a public name, and loopback when its IP is listed explicitly
    await expect(
      checkModelUrl('https://models.example.com/m/model.json', ['https://models.example.com'], publicDns),
    ).resolves.toBeInstanceOf(URL);
    await expect(checkModelUrl(`${modelOrigin}/model.json`, [modelOrigin])).resolves.toBeInstanceOf(URL);
  });

  it('fetches a listed model, and refuses weight paths that leave its folder before requesting them', async () => {
    const json = JSON.parse(files.modelJson as string) as { weightsManifest: { paths: string[] }[] };
    const withPath = (p: string) =>
      JSON.stringify({ ...json, weightsManifest: json.weightsManifest.map((g) => ({ ...g, paths: [p] })) });
    routes.set('/m/model.json', withPath('weights.bin'));
    routes.set('/m/weights.bin', files.weights);
    routes.set('/secret.bin', files.weights);
    const artifacts = await fetchModelUrl(`${modelOrigin}/m/model.json`, { allow: [modelOrigin] });
    expect((artifacts.weightData as ArrayBuffer).byteLength).toBe(files.weights.byteLength);

    const escapes = [
      '../secret.bin',
      '/secret.bin',
      '.%2e/secret.bin',
      '%2e%2e/secret.bin',
      '%2E./secret.bin',
      'a/%2e%2e/%2e%2e/secret.bin',
      '..%2fsecret.bin',
      'http://169.254.169.254/secret.bin',
      `${modelOrigin}/secret.bin`,
      '//169.254.169.254/secret.bin',
      'file:///etc/passwd',
      'data:application/octet-stream;base64,AAAA',
      '..\\secret.bin',
      'weights.bin?x=../../secret.bin',
    ];
    for (const p of escapes) {
      expect(() => assertSafeWeightPath(p), p).toThrow(SourceNotAllowedError);
      routes.set('/m/model.json', withPath(p));
      served.length = 0;
      await expect(
        fetchModelUrl(`${modelOrigin}/m/model.json`, { allow: [modelOrigin] }),
        p,
      ).rejects.toBeInstanceOf(SourceNotAllowedError);
      expect(served, p).toEqual(['/m/model.json']);
    }
  });

  it('a model directory whose model.json points outside it is refused before any file is read', async () => {
    const dir = path.join(root, 'models', 'm');
    await mkdir(dir, { recursive: true });
    const json = JSON.parse(files.modelJson as string) as { weightsManifest: { paths: string[] }[] };
    await writeFile(path.join(root, 'models', 'secret.bin'), files.weights);
    for (const p of ['../secret.bin', path.join(root, 'models', 'secret.bin'), 'file:///etc/passwd']) {
      await writeFile(
        path.join(dir, 'model.json'),
        JSON.stringify({ ...json, weightsManifest: json.weightsManifest.map((g) => ({ ...g, paths: [p] })) }),
      );
      await expect(readModelDir(dir), p).rejects.toBeInstanceOf(SourceNotAllowedError);
    }
    expect(await readdir(dir)).toEqual(['model.json']);
  });
});
