/**
 * The backbone routes over the real stack: embedded S3, the real backbone and model registries, real tfjs models
 * (a published Graft bundle, a tfjs layers model served over HTTP from 127.0.0.1).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BundleFiles } from '@graft/core';
import { initBackend } from '@graft/runtime';
import { ModelRegistry } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createStoreApp, ERROR_STATUS } from '../../../functions/api/src/index.js';
import { saveTinyCnn } from '../../backbones/tiny-cnn.js';
import { serveDir } from '../../core/backbone/helpers.js';
import { startTestS3, type TestS3 } from '../../storage/local-s3-fixture.js';
import { auth, MemoryJobs, MemoryModelSource, RecordingRunner, TOKEN } from './fakes.js';
import { tinyBundleFiles } from './tiny-bundle.js';

let s3: TestS3;
let root: string;
let server: Awaited<ReturnType<typeof serveDir>>;
let files: BundleFiles;
let app: ReturnType<typeof createStoreApp>;

beforeAll(async () => {
  await initBackend();
  s3 = await startTestS3('graft-api-backbones');
  root = await mkdtemp(path.join(tmpdir(), 'graft-api-backbones-'));
  (await saveTinyCnn(path.join(root, 'cnn'), 1)).dispose();
  await mkdir(path.join(root, 'junk'));
  await writeFile(
    path.join(root, 'junk', 'model.json'),
    JSON.stringify({ modelTopology: { class_name: 'Nope', config: {} }, weightsManifest: [] }),
  );
  server = await serveDir(root);
  files = await tinyBundleFiles(1);
  const models = new ModelRegistry(s3.store);
  await models.publish('shades', { ...files, report: { dataset: 'gray-shades' } });
  await models.publish('shades2', { ...(await tinyBundleFiles(2)), report: { dataset: 'gray-shades' } });
  app = createStoreApp(s3.store, {
    runner: new RecordingRunner(),
    token: TOKEN,
    backboneUrlAllow: [server.origin],
  });
});

afterAll(async () => {
  await server?.close();
  await s3?.close();
  await rm(root, { recursive: true, force: true });
});

const post = (body: unknown, to = app) =>
  to.request('/v1/backbones', {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('backbone routes', () => {
  it('lists the bundled mobilenet_v2 and answers its manifest; unknown ids are 404 backbone_not_found', async () => {
    expect((await app.request('/v1/backbones')).status).toBe(401);
    const res = await app.request('/v1/backbones', { headers: auth });
    expect(res.status).toBe(200);
    const { backbones } = (await res.json()) as { backbones: Record<string, unknown>[] };
    expect(backbones[0]).toMatchObject({
      id: 'mobilenet_v2',
      defaultCut: 'block_13_expand_relu',
      hasSourceStats: false,
    });
    expect(backbones[0]).not.toHaveProperty('cuts');
    const one = await app.request('/v1/backbones/mobilenet_v2', { headers: auth });
    expect(one.status).toBe(200);
    expect(((await one.json()) as { cuts: unknown[] }).cuts.length).toBeGreaterThan(10);
    const missing = await app.request('/v1/backbones/resnet50', { headers: auth });
    expect([missing.status, await errorCode(missing)]).toEqual([404, 'backbone_not_found']);
  });

  it('registers a published model version minus its head (201, then 200 for the same weights, 409 for others)', async () => {
    const res = await post({ id: 'shades', from: { model: 'shades' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/v1/backbones/shades');
    const manifest = (await res.json()) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      id: 'shades',
      provenance: { kind: 'developed', model: 'shades', version: 1, dataset: 'gray-shades' },
      featuresLayer: 'features',
    });
    const again = await post({ id: 'shades', from: { model: 'shades', version: 1 } });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(manifest);
    const other = await post({ id: 'shades', from: { model: 'shades2' } });
    expect([other.status, await errorCode(other)]).toEqual([409, 'backbone_exists']);
    const listed = (await (await app.request('/v1/backbones', { headers: auth })).json()) as {
      backbones: { id: string }[];
    };
    expect(listed.backbones.map((b) => b.id)).toEqual(['mobilenet_v2', 'shades']);
    const noModel = await post({ id: 'x', from: { model: 'nope' } });
    expect([noModel.status, await errorCode(noModel)]).toEqual([404, 'model_not_found']);
    const noVersion = await post({ id: 'x', from: { model: 'shades', version: 5 } });
    expect([noVersion.status, await errorCode(noVersion)]).toEqual([404, 'version_not_found']);
  });

  it('registers a tfjs layers model from an allow-listed URL; refuses other origins (403), junk (400) and oversize weights (413)', async () => {
    const res = await post({ id: 'cnn', url: `${server.origin}/cnn/model.json` });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      id: 'cnn',
      name: 'tiny_cnn',
      provenance: { kind: 'url' },
      defaultCut: 'conv1',
    });
    const refused = createStoreApp(s3.store, { runner: new RecordingRunner(), token: TOKEN }); // default: no origin
    const forbidden = await post({ id: 'cnn2', url: `${server.origin}/cnn/model.json` }, refused);
    expect([forbidden.status, await errorCode(forbidden)]).toEqual([403, 'source_not_allowed']);
    const elsewhere = await post({ id: 'cnn2', url: 'https://models.example.com/cnn/model.json' });
    expect([elsewhere.status, await errorCode(elsewhere)]).toEqual([403, 'source_not_allowed']);
    const junk = await post({ id: 'junk', url: `${server.origin}/junk/model.json` });
    expect([junk.status, await errorCode(junk)]).toEqual([400, 'invalid_backbone']);
    const small = createStoreApp(s3.store, {
      runner: new RecordingRunner(),
      token: TOKEN,
      backboneUrlAllow: [server.origin],
      backboneMaxBytes: 1000,
    });
    const big = await post({ id: 'big', url: `${server.origin}/cnn/model.json` }, small);
    expect([big.status, await errorCode(big)]).toEqual([413, 'backbone_too_large']);
    for (const body of [
      { id: 'cnn-96', url: `${server.origin}/cnn/model.json` },
      { id: 'x' },
      { id: 'x', url: 'not a url' },
    ]) {
      const bad = await post(body);
      expect([bad.status, await errorCode(bad)]).toEqual([400, 'invalid_request']);
    }
  });

  it('lists the routes and their error codes in the OpenAPI document; a deployment without a registry answers 501', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths['/v1/backbones'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/v1/backbones/{id}'] ?? {})).toEqual(['get']);
    const statuses = Object.keys((doc.paths['/v1/backbones']!.post as { responses: object }).responses);
    expect(statuses.sort()).toEqual(['200', '201', '400', '401', '403', '404', '409', '413']);
    expect(ERROR_STATUS).toMatchObject({
      backbone_not_found: 404,
      invalid_backbone: 400,
      source_not_allowed: 403,
      backbone_too_large: 413,
      backbone_exists: 409,
    });
    const bare = createApp({
      models: new MemoryModelSource(),
      jobs: new MemoryJobs(),
      runner: new RecordingRunner(),
      token: TOKEN,
    });
    const res = await bare.request('/v1/backbones', { headers: auth });
    expect([res.status, await errorCode(res)]).toEqual([501, 'not_configured']);
  });
});
