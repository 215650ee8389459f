/**
 * `graft edge build` and `graft edge` as a user runs them (child processes): the deployable folder within the size
 * target, and the edge build in workerd serving the bucket of a running Graft found through `runtime.json`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ApiStack, grayPng, startApiStack, tinyModelFiles } from '@graft/bench';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRuntimeInfo } from '../../packages/cli/src/connection.js';
import { graft, graftServing } from '../e2e/graft-process.js';

let root: string;
let stack: ApiStack;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'graft-cli-edge-'));
  stack = await startApiStack({ dir: path.join(root, 'stack') });
  await stack.registry.publish('tiny', { ...(await tinyModelFiles(1)), report: {} });
  await writeRuntimeInfo(root, {
    apiUrl: stack.url,
    token: stack.token,
    s3Endpoint: stack.s3.endpoint,
    s3Credentials: stack.s3.credentials,
    bucket: stack.s3.bucket,
    pid: process.pid,
  });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await rm(root, { recursive: true, force: true });
});

describe('graft edge', () => {
  it('build writes worker.js, its wasm files and a wrangler.toml, code + wasm under 1 MB gzip', async () => {
    const out = path.join(root, 'dist');
    const run = await graft(['edge', 'build', '--out', out, '--bucket', 'pets', '--json'], 120_000);
    expect(run.code, run.stderr).toBe(0);
    const last = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, number | string>;
    expect(last.outDir).toBe(out);
    const toml = await readFile(String(last.wranglerToml), 'utf8');
    expect(toml).toContain('main = "worker.js"');
    expect(toml).toContain('no_bundle = true');
    expect(toml).toContain('type = "CompiledWasm"');
    expect(toml).toContain('GRAFT_BUCKET = "pets"');
    for (const file of [
      'worker.js',
      'tfjs-backend-wasm-simd.wasm',
      'mozjpeg_dec.wasm',
      'squoosh_png_bg.wasm',
      'webp_dec.wasm',
    ])
      expect(existsSync(path.join(out, file)), file).toBe(true);
    expect(Number(last.codeGzipBytes) + Number(last.wasmGzipBytes)).toBeLessThanOrEqual(1_000_000);
  }, 120_000);

  it('runs the edge build in workerd on the running Graft and prints {apiUrl, token, runtime}', async () => {
    const serving = graftServing(['edge', '--json', '--data-dir', root]);
    try {
      const line = await serving.line('runtime', 120_000);
      expect(line).toMatchObject({ token: stack.token, runtime: 'workerd' });
      const res = await fetch(`${line.apiUrl}/v1/models/tiny/predict`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'image/png' },
        body: await grayPng(220),
      });
      const body = (await res.json()) as { predictions: { label: string }[] };
      expect(res.status).toBe(200);
      expect(body.predictions[0]?.label).toBe('light');
    } finally {
      // Miniflare's exit hook disposes workerd and exits 128 + 15 on SIGTERM
      expect([0, 143]).toContain(await serving.stop());
    }
  }, 150_000);
});
