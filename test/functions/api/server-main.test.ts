/**
 * `node --import tsx functions/api/src/server.ts` as a process: configured from the environment, on the
 * embedded S3, generating and printing a token, stopping cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type LocalS3, ModelRegistry, S3BlobStore, startLocalS3 } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grayPng } from './fakes.js';
import { tinyBundleFiles } from './tiny-bundle.js';

const ROOT = join(import.meta.dirname, '../../..');
let s3: LocalS3;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'graft-api-server-'));
  s3 = await startLocalS3({ dir, bucket: 'graft-server' });
  const files = await tinyBundleFiles(1);
  await new ModelRegistry(new S3BlobStore(s3.client, s3.bucket)).publish('tiny', { ...files, report: {} });
});

afterAll(async () => {
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('server.ts as a process', () => {
  it('prints {apiUrl, token} on one JSON line, serves predictions, exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'functions/api/src/server.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        GRAFT_BUCKET: s3.bucket,
        GRAFT_S3_ENDPOINT: s3.endpoint,
        GRAFT_MODEL_NAME: 'tiny',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', () => reject(new Error(`server exited early: ${stderr.slice(-2000)}`)));
      });
      const { apiUrl, token, docsUrl } = JSON.parse(line) as {
        apiUrl: string;
        token: string;
        docsUrl: string;
      };
      expect(apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(docsUrl).toBe(`${apiUrl}/docs`);
      expect(token).toMatch(/^[0-9a-f]{64}$/);

      expect((await fetch(`${apiUrl}/v1/models`)).status).toBe(401);
      const res = await fetch(`${apiUrl}/v1/models/tiny/predict?topK=1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' },
        body: await grayPng(240, 10),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        model: 'tiny',
        version: 1,
        predictions: [{ label: 'light' }],
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
