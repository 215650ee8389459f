/**
 * End to end through the real command: `graft demo` starts the embedded S3, uploads MNIST digits, lets the S3
 * event fan-out extract them in worker threads, trains through the HTTP API and predicts the held-out digits.
 * Afterwards the bucket it left behind is reopened to check that every upload is accounted for.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rejectKey } from '@graft/extraction';
import { keys, type LocalS3, S3BlobStore, sha256, startLocalS3 } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { graft, type Run } from './graft-process.js';

describe('graft command line', () => {
  it('`graft demo --help` prints usage and exits 0', async () => {
    const run = await graft(['demo', '--help'], 60_000);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: graft demo');
  });

  it('`graft` without arguments prints help and exits 1; `graft --help` exits 0', async () => {
    const [bare, help] = await Promise.all([graft([], 60_000), graft(['--help'], 60_000)]);
    expect(bare.code).toBe(1);
    expect(bare.stdout).toContain('demo');
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(bare.stdout);
  });

  it('an unknown command exits 2 and names it', async () => {
    const run = await graft(['bogus'], 60_000);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'bogus'");
  });

  it('a start-up failure (API token too short) exits 1 instead of hanging', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'graft-e2e-bad-token-'));
    try {
      const run = await graft(['demo', '--exit', '--json', '--data-dir', dataDir, '--port', '0'], 60_000, {
        GRAFT_API_TOKEN: 'short',
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('token');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('an unknown flag exits 2', async () => {
    const run = await graft(['demo', '--no-such-flag'], 60_000);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no-such-flag/);
  });
});

describe('graft demo --exit --json', () => {
  const PER_CLASS = 8;
  const VAL = 2;
  const TEST = 4;
  let dataDir: string;
  let run: Run;
  let summary: Record<string, unknown>;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'graft-e2e-demo-'));
    run = await graft([
      'demo',
      '--exit',
      '--json',
      '--per-class',
      String(PER_CLASS),
      '--val-per-class',
      String(VAL),
      '--test-per-class',
      String(TEST),
      '--data-dir',
      dataDir,
      '--port',
      '0',
    ]);
    const lines = run.stdout.trim().split('\n');
    summary = JSON.parse(lines[lines.length - 1]!);
  }, 300_000);

  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('exits 0 and its last stdout line is the result summary', () => {
    if (run.code !== 0) console.error(run.stderr.slice(-3000));
    expect(run.code).toBe(0);
    console.log(`demo: ${run.seconds.toFixed(1)} s wall; summary ${JSON.stringify(summary)}`);
    expect(summary.images).toBe(10 * (PER_CLASS + VAL + TEST));
    expect(summary.testImages).toBe(10 * TEST);
    // Few digits, unlike the source photos: scenario 2, a new head on pooled earlier activations.
    expect(summary.strategy).toBe('freeze-k');
    expect(summary.scenario).toBe(2);
    expect(summary.model).toBe('digits');
    expect(summary.modelVersion).toBe(1);
    expect(summary.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(summary.apiUrl).not.toBe('http://127.0.0.1:0');
    expect(summary.extractSeconds).toBeGreaterThan(0);
    expect(summary.trainSeconds).toBeGreaterThan(0);
    // Chance is 0.1; 80 training digits on pooled block_13_expand_relu activations reach ~0.7.
    expect(summary.accuracy).toBeGreaterThan(0.2);
    expect(summary.accuracy).toBeLessThanOrEqual(1);
  });

  it('every upload left a feature object (content sha256, mobilenet_v2-96, block_13_expand_relu) or a rejects record', async () => {
    expect(run.code).toBe(0);
    let s3: LocalS3 | undefined;
    try {
      s3 = await startLocalS3({ dir: path.join(dataDir, 's3'), bucket: 'graft' });
      const store = new S3BlobStore(s3.client, s3.bucket);
      const dataset = `mnist-demo-${PER_CLASS}`;
      const config = JSON.parse(new TextDecoder().decode(await store.get(keys.datasetConfig(dataset))));
      expect(config).toMatchObject({ backbone: 'mobilenet_v2', inputSize: 96, cut: 'block_13_expand_relu' });
      const uploads: string[] = [];
      for await (const info of store.list('datasets/')) {
        if (!info.key.endsWith('/graft.json')) uploads.push(info.key);
      }
      expect(uploads).toHaveLength(summary.images as number);
      const missing: string[] = [];
      const shas = new Set<string>();
      let rejected = 0;
      for (const key of uploads) {
        const sha = await sha256(await store.get(key));
        shas.add(sha);
        if (await store.head(keys.feature('mobilenet_v2-96', 'block_13_expand_relu', sha))) continue;
        if (await store.head(await rejectKey(dataset, key))) {
          rejected++;
          continue;
        }
        missing.push(key);
      }
      expect(missing).toEqual([]);
      expect(rejected).toBe(0); // MNIST PNGs are all decodable
      let features = 0;
      for await (const _ of store.list('features/mobilenet_v2-96/block_13_expand_relu/')) features++;
      expect(features).toBe(shas.size);
      // The published version is complete and serving.
      const current = JSON.parse(new TextDecoder().decode(await store.get(keys.modelCurrent('digits'))));
      expect(current.version).toBe(1);
      for (const file of keys.VERSION_FILES)
        expect(await store.head(keys.modelVersionFile('digits', 1, file))).toBeDefined();
      // No message was dead-lettered (the runtime writes one file per dead letter there).
      expect(existsSync(path.join(dataDir, 'dead-letters'))).toBe(false);
    } finally {
      await s3?.close();
    }
  });
});
