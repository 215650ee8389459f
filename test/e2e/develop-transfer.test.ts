/**
 * Both approaches of transfer learning end to end, as a user runs them: `graft` child processes against a running
 * local Graft (embedded S3, extraction worker, job runner, API). Develop a source model on digits 0–4 (a develop
 * job), register it as a backbone from its published version, import digits 5–9 on it, train with `auto` (the
 * advisor measures similarity against the source's own statistics and races the candidates) and predict through
 * the API.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeGrayPng, loadMnistDigits } from '@graft/datasets';
import { type Runtime, startRuntime } from '@graft/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRuntimeInfo } from '../../packages/cli/src/connection.js';
import { graft } from './graft-process.js';

let root: string;
let runtime: Runtime;

/** Runs `graft <args> --json --data-dir <root>`; the last stdout line parsed. */
async function run(...args: string[]) {
  const result = await graft([...args, '--json', '--data-dir', root], 300_000);
  const last = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown> & {
    error?: { code: string; message: string };
  };
  return { code: result.code, last, stderr: result.stderr };
}

/** Writes `<dir>/<split>/<digit>/<n>.png` for `counts` images per digit and split. */
async function digitFolder(dir: string, digits: number[], counts: Record<'train' | 'val' | 'test', number>) {
  const per = counts.train + counts.val + counts.test;
  const set = await loadMnistDigits({ perClass: per, digits });
  const seen = new Map<number, number>();
  for (const [i, pixels] of set.images.entries()) {
    const digit = set.labels[i]!;
    const n = seen.get(digit) ?? 0;
    seen.set(digit, n + 1);
    const split = n < counts.train ? 'train' : n < counts.train + counts.val ? 'val' : 'test';
    await mkdir(path.join(dir, split, String(digit)), { recursive: true });
    await writeFile(path.join(dir, split, String(digit), `${n}.png`), encodeGrayPng(pixels, 28, 28));
  }
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'graft-develop-transfer-'));
  await digitFolder(path.join(root, 'source'), [0, 1, 2, 3, 4], { train: 80, val: 10, test: 0 });
  await digitFolder(path.join(root, 'target'), [5, 6, 7, 8, 9], { train: 15, val: 10, test: 6 });
  // A file that is not an image, as users' folders hold: uploaded, rejected by extraction, named in the job result.
  await writeFile(path.join(root, 'target', 'train', '5', 'notes.png'), 'not an image');
  runtime = await startRuntime({
    dataDir: root,
    port: 0,
    workers: 1,
    token: 'develop-transfer',
    log: () => {},
  });
  const { apiUrl, token, s3Endpoint, s3Credentials, bucket } = runtime;
  await writeRuntimeInfo(root, { apiUrl, token, s3Endpoint, s3Credentials, bucket, pid: process.pid });
});

afterAll(async () => {
  await runtime?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('develop a source, register it, transfer from it', () => {
  it('runs the whole method through the CLI and the API', async () => {
    const source = await run('import', path.join(root, 'source'), '--dataset', 'digits-src');
    expect(source.code, source.stderr).toBe(0);

    const developed = await run(
      'train',
      '--dataset',
      'digits-src',
      '--model',
      'digits-src',
      '--strategy',
      'develop',
      '--epochs',
      '8',
    );
    expect(developed.code, developed.stderr).toBe(0);
    expect(developed.last).toMatchObject({ strategy: 'develop', backbone: 'mnist-cnn', promoted: true });
    expect(developed.last.warnings).toEqual([expect.stringMatching(/only 80 training images per class/)]);

    const added = await run('backbone', 'add', '--from-model', 'digits-src', '--id', 'digits-cnn');
    expect(added.code, added.stderr).toBe(0);
    expect(added.last).toMatchObject({
      id: 'digits-cnn',
      provenance: { kind: 'developed', model: 'digits-src', version: 1, dataset: 'digits-src' },
      defaultInputSize: 28,
    });
    const listed = await run('backbone', 'list');
    expect((listed.last.backbones as { id: string }[]).map((b) => b.id)).toEqual([
      'mobilenet_v2',
      'digits-cnn',
    ]);
    const inspected = await run('backbone', 'inspect', 'digits-cnn');
    expect((inspected.last.sourceStats as { method: string }).method).toBe('source-statistics');

    const target = await run(
      'import',
      path.join(root, 'target'),
      '--dataset',
      'digits-tgt',
      '--backbone',
      'digits-cnn',
    );
    expect(target.code, target.stderr).toBe(0);
    expect(target.last.config).toMatchObject({ backbone: 'digits-cnn', inputSize: 28 });

    const trained = await run('train', '--dataset', 'digits-tgt', '--model', 'digits-tgt');
    expect(trained.code, trained.stderr).toBe(0);
    const result = trained.last as {
      backbone: string;
      promoted: boolean;
      accuracy: number;
      explanation: string;
      candidates: { name: string; chosen: boolean }[];
      rejected: { count: number; first: { key: string; code: string }[] };
    };
    expect(result.rejected).toEqual({
      count: 1,
      first: [
        {
          key: 'datasets/digits-tgt/train/5/notes.png',
          code: 'unsupported_format',
          message: expect.stringMatching(/not an image/),
        },
      ],
    });
    expect(result.backbone).toBe('digits-cnn');
    expect(result.promoted).toBe(true);
    expect(result.explanation).toMatch(/source-statistics over \d+ images/);
    expect(result.candidates.filter((c) => c.chosen)).toHaveLength(1);
    expect(result.accuracy).toBeGreaterThan(0.5);

    const image = path.join(root, 'target', 'test', '7', '25.png');
    const predicted = await run('predict', image, '--model', 'digits-tgt');
    expect(predicted.code, predicted.stderr).toBe(0);
    expect(JSON.stringify(predicted.last)).toMatch(/"label":"[5-9]"/);
    // Nine CLI processes, a develop job and an auto race: ~100 s on a quiet 2-core machine.
  }, 300_000);
});
