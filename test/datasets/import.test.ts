import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DatasetBackboneChangedError,
  DatasetConflictError,
  type DatasetSample,
  DatasetUnavailableError,
  encodeGrayPng,
  InvalidDatasetError,
  importDataset,
  importFolder,
  mnistSamples,
  splitFor,
} from '@graft/datasets';
import {
  type BlobBody,
  type BlobInfo,
  type BlobStore,
  decodeS3EventKey,
  type LocalS3,
  type PutOptions,
  S3BlobStore,
  startLocalS3,
} from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Wraps the real S3BlobStore (over the embedded local S3 server) and records every put in call order,
 * the peak number of puts in flight, and (for one test) fails puts on chosen keys.
 */
class RecordingStore implements BlobStore {
  readonly putOrder: string[] = [];
  inFlight = 0;
  peak = 0;
  failOn?: (key: string) => boolean;

  constructor(private readonly inner: BlobStore) {}

  get(key: string): Promise<Uint8Array> {
    return this.inner.get(key);
  }
  async put(key: string, body: BlobBody, options?: PutOptions): Promise<void> {
    this.putOrder.push(key);
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    try {
      if (this.failOn?.(key)) throw new Error(`injected failure on ${key}`);
      await this.inner.put(key, body, options);
    } finally {
      this.inFlight--;
    }
  }
  head(key: string): Promise<BlobInfo | undefined> {
    return this.inner.head(key);
  }
  list(prefix: string, options?: { startAfter?: string }): AsyncIterable<BlobInfo> {
    return this.inner.list(prefix, options);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  async keys(prefix = ''): Promise<string[]> {
    const out: string[] = [];
    for await (const info of this.inner.list(prefix)) out.push(info.key);
    return out;
  }
}

let s3: LocalS3;
let s3Dir: string;
let created: string[] = [];
let testSeq = 0;

beforeAll(async () => {
  s3Dir = await mkdtemp(join(tmpdir(), 'graft-datasets-s3-'));
  s3 = await startLocalS3({ dir: s3Dir, bucket: 'graft-datasets' });
  s3.onObjectCreated((record) => {
    created.push(decodeS3EventKey(record.s3.object.key));
  });
});
afterAll(async () => {
  await s3?.close();
  await rm(s3Dir, { recursive: true, force: true });
});

/** A recording store over the shared local S3 bucket; resets the event log. Tests isolate by data set name (`ds`). */
function freshStore(): RecordingStore {
  created = [];
  testSeq++;
  return new RecordingStore(new S3BlobStore(s3.client, s3.bucket));
}

/** A unique data set name per call so tests sharing the bucket never see each other's objects. */
const ds = (name: string) => `${name}-${testSeq}`;

const config = { backbone: 'mobilenet_v2', inputSize: 96, cut: 'block_10_project_BN' };

function sample(label: string, name: string, split?: DatasetSample['split']): DatasetSample {
  return { label, name, bytes: encodeGrayPng(Uint8Array.of(label.length, name.length, 3, 4), 2, 2), split };
}

describe('importDataset (real S3BlobStore over the local S3 server)', () => {
  const text = async (store: BlobStore, key: string) => new TextDecoder().decode(await store.get(key));

  it('writes graft.json first, then every MNIST PNG at datasets/<name>/<split>/<label>/<file>', async () => {
    const store = freshStore();
    const name = ds('digits');
    const samples = [...(await mnistSamples({ perClass: 20 }))];
    const progress: number[] = [];
    const result = await importDataset(store, name, samples, {
      config,
      onProgress: (p) => {
        progress.push(p.done);
        expect(p.total).toBe(200);
      },
    });
    expect(store.putOrder[0]).toBe(`datasets/${name}/graft.json`);
    expect(store.putOrder).toHaveLength(201);
    await s3.drainEvents();
    expect(created[0]).toBe(`datasets/${name}/graft.json`); // the first S3 event the pipeline sees
    expect(created).toHaveLength(201);
    const stored = JSON.parse(await text(store, `datasets/${name}/graft.json`));
    expect(stored).toMatchObject(config);
    expect(Date.parse(stored.createdAt)).not.toBeNaN();
    expect((await store.head(`datasets/${name}/graft.json`))?.contentType).toBe('application/json');
    const expected = samples.map((s) => `datasets/${name}/${splitFor(s.bytes)}/${s.label}/${s.name}`);
    expect(await store.keys(`datasets/${name}/`)).toEqual(
      [`datasets/${name}/graft.json`, ...expected].sort(),
    );
    for (const [i, s] of samples.entries()) {
      if (i % 20 !== 0) continue; // spot-check bytes and content type of one per digit
      expect(await store.get(expected[i]!)).toEqual(s.bytes);
      expect((await store.head(expected[i]!))?.contentType).toBe('image/png');
    }
    expect(progress).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(result.total).toBe(200);
    expect(result.configWritten).toBe(true);
    for (let d = 0; d < 10; d++) {
      const label = String(d);
      const n =
        (result.counts.train[label] ?? 0) +
        (result.counts.val[label] ?? 0) +
        (result.counts.test[label] ?? 0);
      expect(n).toBe(20);
    }
    expect(result.bytes).toBe(samples.reduce((n, s) => n + s.bytes.length, 0));
  });

  it('keeps at most `concurrency` uploads in flight and uses them', async () => {
    for (const concurrency of [1, 3, 8]) {
      const store = freshStore();
      const samples = Array.from({ length: 40 }, (_, i) => sample('a', `${i}.png`, 'train'));
      await importDataset(store, ds(`c${concurrency}`), samples, { config, concurrency });
      expect(store.peak).toBe(concurrency);
    }
  });

  it('accepts async iterables and honours explicit splits; spaces survive S3 event encoding', async () => {
    const store = freshStore();
    const name = ds('pets');
    async function* gen() {
      yield sample('cat', 'a.png', 'val');
      yield sample('dog', 'b+c.png', 'test');
      yield sample('Ankle boot', 'c d.png', 'train');
    }
    const progress: (number | undefined)[] = [];
    const result = await importDataset(store, name, gen(), {
      config,
      onProgress: (p) => progress.push(p.total),
    });
    const expected = [
      `datasets/${name}/graft.json`,
      `datasets/${name}/test/dog/b+c.png`,
      `datasets/${name}/train/Ankle boot/c d.png`,
      `datasets/${name}/val/cat/a.png`,
    ];
    expect(await store.keys(`datasets/${name}/`)).toEqual(expected);
    await s3.drainEvents();
    expect([...created].sort()).toEqual(expected);
    expect(result.counts).toEqual({ train: { 'Ankle boot': 1 }, val: { cat: 1 }, test: { dog: 1 } });
    expect(progress).toEqual([undefined, undefined, undefined]);
  });

  it.each([
    ['dataset with /', 'a/b', sample('x', 'y.png')],
    ['dataset ..', '..', sample('x', 'y.png')],
    ['dataset with ..', 'a..b', sample('x', 'y.png')],
    ['empty dataset', '', sample('x', 'y.png')],
    ['label with /', 'd', sample('T-shirt/top', 'y.png')],
    ['label ..', 'd', sample('..', 'y.png')],
    ['label with control char', 'd', sample('a\nb', 'y.png')],
    ['file with /', 'd', sample('x', '../y.png')],
    ['hidden file', 'd', sample('x', '.y.png')],
    ['bad split', 'd', { ...sample('x', 'y.png'), split: 'validation' as 'val' }],
  ])('rejects a %s with InvalidDatasetError and uploads no sample', async (_case, dataset, bad) => {
    const store = freshStore();
    const error = await importDataset(store, dataset, [bad], { config }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidDatasetError);
    expect(error).toMatchObject({ code: 'invalid_dataset', name: 'InvalidDatasetError' });
    expect(store.putOrder.filter((k) => !k.endsWith('/graft.json'))).toEqual([]);
  });

  it('rejects duplicate keys, labels outside config.labels and bad configs', async () => {
    const store = freshStore();
    const [d, e, f] = [ds('d'), ds('e'), ds('f')];
    await expect(
      importDataset(store, d, [sample('a', 'x.png', 'train'), sample('a', 'x.png', 'train')], { config }),
    ).rejects.toThrow(`same key datasets/${d}/train/a/x.png`);
    await expect(
      importDataset(store, e, [sample('c', 'x.png')], { config: { ...config, labels: ['a', 'b'] } }),
    ).rejects.toThrow(/not one of config.labels/);
    await expect(importDataset(store, f, [], { config: { ...config, inputSize: 0 } })).rejects.toThrow(
      InvalidDatasetError,
    );
    await expect(importDataset(store, f, [], { config, concurrency: 0 })).rejects.toThrow(
      InvalidDatasetError,
    );
    await expect(
      importDataset(store, f, [], { config, fractions: { train: 0.5, val: 0.1, test: 0.1 } }),
    ).rejects.toThrow(InvalidDatasetError);
    expect(await store.head(`datasets/${f}/graft.json`)).toBeUndefined();
  });

  it('keeps an identical graft.json, refuses a conflicting one, replaces it when asked', async () => {
    const store = freshStore();
    const p = ds('p');
    const first = await importDataset(store, p, [sample('a', '1.png')], { config });
    const second = await importDataset(store, p, [sample('a', '2.png')], { config });
    expect(second.configWritten).toBe(false);
    expect(second.config.createdAt).toBe(first.config.createdAt);
    expect(store.putOrder.filter((k) => k.endsWith('graft.json'))).toHaveLength(1);
    const conflict = importDataset(store, p, [sample('a', '3.png')], {
      config: { ...config, inputSize: 160 },
    });
    await expect(conflict).rejects.toThrow(DatasetConflictError);
    await expect(conflict).rejects.toMatchObject({ code: 'dataset_conflict' });
    const cutConflict = importDataset(store, p, [sample('a', '3.png')], {
      config: { ...config, cut: 'features' },
    });
    await expect(cutConflict).rejects.toMatchObject({ code: 'dataset_conflict' });
    // Another backbone has its own code: the features of two backbones never mix in one data set.
    const puts = store.putOrder.length;
    const changed = importDataset(store, p, [sample('a', '3.png')], {
      config: { ...config, backbone: 'digits-cnn' },
    });
    await expect(changed).rejects.toThrow(DatasetBackboneChangedError);
    await expect(changed).rejects.toMatchObject({ code: 'dataset_backbone_changed' });
    expect(store.putOrder.length).toBe(puts); // refused before any upload
    const replaced = await importDataset(store, p, [], {
      config: { ...config, inputSize: 160 },
      overwriteConfig: true,
    });
    expect(replaced.configWritten).toBe(true);
    expect(JSON.parse(await text(store, `datasets/${p}/graft.json`)).inputSize).toBe(160);
  });

  it('stops starting uploads after a failure and rethrows it once in-flight uploads settle', async () => {
    const store = freshStore();
    store.failOn = (key) => key.endsWith('/5.png');
    const samples = Array.from({ length: 100 }, (_, i) => sample('a', `${i}.png`, 'train'));
    await expect(importDataset(store, ds('x'), samples, { config, concurrency: 4 })).rejects.toThrow(
      /injected failure/,
    );
    expect(store.inFlight).toBe(0);
    expect(store.putOrder.length).toBeLessThanOrEqual(1 + 6 + 4);
  });
});

describe('importFolder (real S3BlobStore over the local S3 server)', () => {
  let root: string;
  const png = encodeGrayPng(new Uint8Array(16).fill(7), 4, 4);

  async function put(path: string, bytes: Uint8Array | string): Promise<void> {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), bytes);
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'graft-folder-'));
    await put('labels/cat/1.png', png);
    await put('labels/cat/notes.txt', 'not an image');
    await put('labels/cat/.DS_Store', 'junk');
    await put('labels/dog/2.jpg', png); // PNG bytes behind a .jpg name: content type from the bytes
    await put('labels/dog/deeper/3.png', png);
    await put('labels/.git/config', 'x');
    await put('labels/README.md', '# readme');
    await put('splits/train/cat/1.png', png);
    await put('splits/val/dog/2.png', png);
    await put('splits/test/dog/3.png', png);
    await mkdir(join(root, 'empty'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('imports <label>/<file>, uploads non-images too and reports what it skipped', async () => {
    const store = freshStore();
    const name = ds('folder');
    const result = await importFolder(store, name, join(root, 'labels'), { config });
    expect(result.layout).toBe('label');
    expect(store.putOrder[0]).toBe(`datasets/${name}/graft.json`);
    const keys = (await store.keys(`datasets/${name}/`)).filter((k) => !k.endsWith('/graft.json'));
    const split = (file: string) =>
      splitFor(new Uint8Array(file === 'notes.txt' ? Buffer.from('not an image') : png));
    expect(keys.sort()).toEqual(
      [
        `datasets/${name}/${split('1.png')}/cat/1.png`,
        `datasets/${name}/${split('notes.txt')}/cat/notes.txt`,
        `datasets/${name}/${split('2.jpg')}/dog/2.jpg`,
      ].sort(),
    );
    const type = async (suffix: string) =>
      (await store.head(keys.find((k) => k.endsWith(suffix))!))?.contentType;
    expect(await type('notes.txt')).toBe('application/octet-stream');
    expect(await type('2.jpg')).toBe('image/png');
    expect(await store.get(keys.find((k) => k.endsWith('1.png'))!)).toEqual(png);
    expect(result.skipped).toEqual([
      { path: '.git', reason: 'hidden' },
      { path: 'README.md', reason: 'not inside a label folder' },
      { path: join('cat', '.DS_Store'), reason: 'hidden' },
      { path: join('dog', 'deeper'), reason: 'not a file under <label>/' },
    ]);
    expect(result.total).toBe(3);
  });

  it('imports <split>/<label>/<file> keeping the given splits', async () => {
    const store = freshStore();
    const name = ds('split');
    const result = await importFolder(store, name, join(root, 'splits'), { config });
    expect(result.layout).toBe('split');
    expect(await store.keys(`datasets/${name}/`)).toEqual([
      `datasets/${name}/graft.json`,
      `datasets/${name}/test/dog/3.png`,
      `datasets/${name}/train/cat/1.png`,
      `datasets/${name}/val/dog/2.png`,
    ]);
    expect(result.counts).toEqual({ train: { cat: 1 }, val: { dog: 1 }, test: { dog: 1 } });
  });

  it('handles an empty folder and refuses a missing one', async () => {
    const store = freshStore();
    expect((await importFolder(store, ds('e'), join(root, 'empty'), { config })).total).toBe(0);
    await expect(importFolder(store, ds('e'), join(root, 'nope'), { config })).rejects.toThrow(
      DatasetUnavailableError,
    );
  });
});
