/**
 * `graft start <folder> --json`: from a folder of labelled images to a served model in one command, as a new user runs
 * it. The folder holds PNG digits under `<label>/`, a hidden file, a file outside any label folder and a text file
 * named like an image. The command imports it, trains (`auto`), names the file it could not use, serves the model and
 * answers predictions; started again on the same data folder, it serves the same version without training.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeGrayPng, loadMnistDigits } from '@graft/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nameFromFolder } from '../../packages/cli/src/commands/serve-folder.js';
import { graft, graftServing, type Serving } from './graft-process.js';

let root: string;
let folder: string;
const running: Serving[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'graft-start-folder-'));
  folder = path.join(root, 'My Digits');
  const digits = [0, 1, 7];
  const set = await loadMnistDigits({ perClass: 24 });
  const seen = new Map<number, number>();
  for (const [i, pixels] of set.images.entries()) {
    const digit = set.labels[i]!;
    if (!digits.includes(digit)) continue;
    const n = seen.get(digit) ?? 0;
    seen.set(digit, n + 1);
    await mkdir(path.join(folder, `digit ${digit}`), { recursive: true });
    await writeFile(
      path.join(folder, `digit ${digit}`, `${n}.png`),
      encodeGrayPng(pixels, set.width, set.height),
    );
  }
  await writeFile(path.join(folder, '.DS_Store'), 'finder');
  await writeFile(path.join(folder, 'README.txt'), 'my digits');
  await writeFile(path.join(folder, 'digit 7', 'notes.png'), 'not an image');
});

afterAll(async () => {
  for (const s of running) await s.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

function start(...extra: string[]): Serving {
  const serving = graftServing([
    'start',
    folder,
    '--json',
    '--port',
    '0',
    '--data-dir',
    path.join(root, 'data'),
    ...extra,
  ]);
  running.push(serving);
  return serving;
}

describe('graft start <folder>', () => {
  it('names a data set after its folder', () => {
    expect(nameFromFolder('/home/me/My Digits')).toBe('My-Digits');
    expect(nameFromFolder('./photos/')).toBe('photos');
    expect(nameFromFolder('/tmp/.hidden set')).toBe('hidden-set');
    expect(nameFromFolder('/tmp/ü')).toBe('images');
  });

  it('refuses a path that is not a folder before starting anything', async () => {
    const run = await graft([
      'start',
      path.join(root, 'nope'),
      '--json',
      '--port',
      '0',
      '--data-dir',
      path.join(root, 'data'),
    ]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toMatchObject({ error: { code: 'usage' } });
    expect(run.stderr).toMatch(/is not a folder/);
    expect(run.stdout).not.toMatch(/apiUrl/);
  });

  it('imports, trains, serves and predicts; a second start serves the same version without training', async () => {
    const first = start();
    const runtime = await first.line('token', 60_000);
    const outcome = await first.line('trained', 280_000);
    expect(outcome).toMatchObject({ dataset: 'My-Digits', model: 'My-Digits', version: 1, trained: true });
    expect(outcome.predictUrl).toBe(`${runtime.apiUrl}/v1/models/My-Digits/predict`);
    expect(first.stderr()).toMatch(/uploaded 73 files in 3 labels/);
    expect(first.stderr()).toMatch(/skipped 2 \(hidden 1, not inside a label folder 1\)/);
    expect(outcome.rejected).toEqual({
      count: 1,
      first: [
        {
          key: 'datasets/My-Digits/train/digit 7/notes.png',
          code: 'unsupported_format',
          message: expect.any(String),
        },
      ],
    });
    expect(outcome.accuracy).toBeGreaterThan(0.5);

    const image = await readFile(path.join(folder, 'digit 7', '20.png'));
    const answer = await fetch(String(outcome.predictUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${runtime.token}`, 'content-type': 'image/png' },
      body: image,
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { version: number; predictions: { label: string }[] };
    expect(body.version).toBe(1);
    expect(body.predictions[0]!.label).toMatch(/^digit [017]$/);
    expect(await first.stop()).toBe(0);

    const second = start();
    const again = await second.line('trained', 120_000);
    expect(again).toMatchObject({ model: 'My-Digits', version: 1, trained: false });
    expect(second.stderr()).toMatch(/already serves v1: not trained again/);
    expect(await second.stop()).toBe(0);
  }, 400_000);
});
