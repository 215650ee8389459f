/**
 * `graft backbone list|inspect|add` and `graft import --backbone` as a user runs them: the real `graft` command
 * line (child processes) against a running local Graft (embedded S3, extraction worker, API) found through
 * `.graft/runtime.json`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tinyModelFiles } from '@graft/bench';
import { encodePng } from '@graft/imaging';
import { type Runtime, startRuntime } from '@graft/local-aws';
import { initBackend } from '@graft/runtime';
import { ModelRegistry, sha256 } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRuntimeInfo } from '../../packages/cli/src/connection.js';
import { saveTinyCnn } from '../backbones/tiny-cnn.js';
import { serveDir } from '../core/backbone/helpers.js';
import { graft } from '../e2e/graft-process.js';

let root: string;
let runtime: Runtime;
let server: Awaited<ReturnType<typeof serveDir>>;
const images: Uint8Array[] = [];

/** The last `--json` line of a command: its result, or `{ error }`. */
interface Last {
  error?: { code: string; message: string };
  backbones?: { id: string }[];
  config?: Record<string, unknown>;
  [field: string]: unknown;
}

/** Runs `graft <args> --json --data-dir <root>`; the last stdout line parsed. */
async function run(...args: string[]) {
  const result = await graft([...args, '--json', '--data-dir', root], 60_000);
  const last = result.stdout.trim().split('\n').at(-1) ?? '{}';
  return { code: result.code, last: JSON.parse(last) as Last, stderr: result.stderr };
}

async function keysUnder(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const info of runtime.store.list(prefix)) out.push(info.key);
  return out;
}

beforeAll(async () => {
  await initBackend();
  root = await mkdtemp(path.join(tmpdir(), 'graft-cli-backbone-'));
  (await saveTinyCnn(path.join(root, 'models', 'tiny'), 1)).dispose();
  server = await serveDir(path.join(root, 'models'));
  for (const [i, label] of ['a', 'a', 'b'].entries()) {
    const data = new Uint8ClampedArray(20 * 20 * 4).map((_, j) =>
      j % 4 === 3 ? 255 : (j * (i + 3) * 17) % 256,
    );
    const png = await encodePng({ width: 20, height: 20, data });
    images.push(png);
    await mkdir(path.join(root, 'images', label), { recursive: true });
    await writeFile(path.join(root, 'images', label, `${i}.png`), png);
  }
  process.env.GRAFT_BACKBONE_URL_ALLOW = server.origin;
  runtime = await startRuntime({
    dataDir: root,
    port: 0,
    workers: 1,
    token: 'cli-backbone-token',
    log: () => {},
  });
  delete process.env.GRAFT_BACKBONE_URL_ALLOW;
  const { apiUrl, token, s3Endpoint, s3Credentials, bucket } = runtime;
  await writeRuntimeInfo(root, { apiUrl, token, s3Endpoint, s3Credentials, bucket, pid: process.pid });
  await new ModelRegistry(runtime.store).publish('shades', {
    ...(await tinyModelFiles(1)),
    report: { dataset: 'gray' },
  });
});

afterAll(async () => {
  await runtime?.close();
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

describe('graft backbone', () => {
  it('adds a folder, a URL and a published model version; lists and inspects them', async () => {
    const folder = await run('backbone', 'add', '--id', 'tiny', '--dir', path.join(root, 'models', 'tiny'));
    expect(folder.code, folder.stderr).toBe(0);
    expect(folder.last).toMatchObject({
      id: 'tiny',
      name: 'tiny_cnn',
      defaultInputSize: 16,
      defaultCut: 'conv1',
    });
    const [url, developed, list, inspect] = await Promise.all([
      run('backbone', 'add', '--id', 'tiny-url', '--url', `${server.origin}/tiny/model.json`),
      run('backbone', 'add', '--id', 'shades', '--from-model', 'shades@1'),
      run('backbone', 'list'),
      run('backbone', 'inspect', 'tiny'),
    ]);
    expect(url.last).toMatchObject({
      id: 'tiny-url',
      provenance: { kind: 'url' },
      weightsSha256: folder.last.weightsSha256,
    });
    expect(developed.last).toMatchObject({
      id: 'shades',
      provenance: { kind: 'developed', model: 'shades', version: 1 },
    });
    expect(list.last.backbones?.[0]).toMatchObject({ id: 'mobilenet_v2' });
    expect(list.last.backbones?.map((b) => b.id)).toContain('tiny');
    expect(inspect.last).toEqual(folder.last);
    const clash = await run('backbone', 'add', '--id', 'shades', '--dir', path.join(root, 'models', 'tiny'));
    expect([clash.code, clash.last.error?.code]).toEqual([1, 'backbone_exists']);
  });

  it('imports a data set on a registered backbone with its defaults; its features land under the backbone id', async () => {
    const imported = await run(
      'import',
      path.join(root, 'images'),
      '--dataset',
      'shapes',
      '--backbone',
      'tiny',
    );
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.last.config).toMatchObject({ backbone: 'tiny', inputSize: 16, cut: 'conv1' });
    await runtime.extractionIdle();
    const expected = await Promise.all(
      images.map(async (png) => `features/tiny-16/conv1/${await sha256(png)}.bin`),
    );
    expect(await keysUnder('features/tiny-16/')).toEqual(expected.sort());
  });

  it('refuses an unknown cut or backbone before uploading anything, and another backbone for an existing data set', async () => {
    const [cut, backbone, changed] = await Promise.all([
      run(
        'import',
        path.join(root, 'images'),
        '--dataset',
        'other',
        '--backbone',
        'tiny',
        '--cut',
        'block_13_expand_relu',
      ),
      run('import', path.join(root, 'images'), '--dataset', 'other', '--backbone', 'resnet50'),
      run('import', path.join(root, 'images'), '--dataset', 'shapes'),
    ]);
    expect([cut.code, cut.last.error?.code]).toEqual([1, 'usage']);
    expect(cut.last.error?.message).toContain('conv1, pool1, conv2, features');
    expect([backbone.code, backbone.last.error?.code]).toEqual([1, 'usage']);
    expect(backbone.last.error?.message).toContain("unknown backbone 'resnet50'");
    expect(await keysUnder('datasets/other/')).toEqual([]);
    expect([changed.code, changed.last.error?.code]).toEqual([1, 'dataset_backbone_changed']);
  });
});
