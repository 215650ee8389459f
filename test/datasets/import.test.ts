import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
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
import type { BlobBody, BlobInfo, BlobStore, PutOptions } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * In-memory BlobStore (the S3 adapter and local S3 server are being written concurrently). It records
 * every put in call order and the peak number of puts in flight; each put yields to the event loop.
 */
class MemoryBlobStore implements BlobStore {
  readonly objects = new Map<string, { bytes: Uint8Array; contentType?: string }>();
  readonly putOrder: string[] = [];
  inFlight = 0;
  peak = 0;
  failOn?: (key: string) => boolean;

  async get(key: string): Promise<Uint8Array> {
    const object = this.objects.get(key);
    if (!object) throw Object.assign(new Error(`no such key ${key}`), { name: 'NotFoundError' });
    return object.bytes;
  }
  async put(key: string, body: BlobBody, options?: PutOptions): Promise<void> {
    this.putOrder.push(key);
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (this.failOn?.(key)) throw new Error(`injected failure on ${key}`);
      if (!(typeof body === 'string' || body instanceof Uint8Array))
        throw new Error('streams not expected here');
      const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body);
      this.objects.set(key, { bytes, contentType: options?.contentType });
    } finally {
      this.inFlight--;
    }
  }
  async head(key: string): Promise<BlobInfo | undefined> {
    const object = this.objects.get(key);
    return object && { key, size: object.bytes.length, contentType: object.contentType };
  }
  async *list(prefix: string): AsyncIterable<BlobInfo> {
    for (const key of [...this.objects.keys()].sort()) {
      if (key.startsWith(prefix)) yield (await this.head(key))!;
    }
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
}

const config = { backbone: 'mobilenet_v2', inputSize: 96, cut: 'block_10_project_BN' };

function sample(label: string, name: string, split?: DatasetSample['split']): DatasetSample {
  return { label, name, bytes: encodeGrayPng(Uint8Array.of(label.length, name.length, 3, 4), 2, 2), split };
}

describe('importDataset', () => {
  it('writes graft.json first, then every MNIST PNG at datasets/<name>/<split>/<label>/<file>', async () => {
    const store = new MemoryBlobStore();
    const samples = [...(await mnistSamples({ perClass: 20 }))];
    const progress: number[] = [];
    const result = await importDataset(store, 'digits', samples, {
      config,
      onProgress: (p) => {
        progress.push(p.done);
        expect(p.total).toBe(200);
      },
    });
    expect(store.putOrder[0]).toBe('datasets/digits/graft.json');
    expect(store.putOrder).toHaveLength(201);
    const stored = JSON.parse(new TextDecoder().decode(await store.get('datasets/digits/graft.json')));
    expect(stored).toMatchObject(config);
    expect(Date.parse(stored.createdAt)).not.toBeNaN();
    expect(store.objects.get('datasets/digits/graft.json')?.contentType).toBe('application/json');
    for (const s of samples) {
      const key = `datasets/digits/${splitFor(s.bytes)}/${s.label}/${s.name}`;
      const object = store.objects.get(key);
      expect(object, key).toBeDefined();
      expect(object!.bytes).toEqual(s.bytes);
      expect(object!.contentType).toBe('image/png');
    }
    expect(progress).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(result.total).toBe(200);
    expect(result.configWritten).toBe(true);
    for (let d = 0; d < 10; d++) {
      const n =
        (result.counts.train[String(d)] ?? 0) +
        (result.counts.val[String(d)] ?? 0) +
        (result.counts.test[String(d)] ?? 0);
      expect(n).toBe(20);
    }
    expect(result.bytes).toBe(samples.reduce((n, s) => n + s.bytes.length, 0));
  });

  it('keeps at most `concurrency` uploads in flight and uses them', async () => {
    for (const concurrency of [1, 3, 8]) {
      const store = new MemoryBlobStore();
      const samples = Array.from({ length: 40 }, (_, i) => sample('a', `${i}.png`, 'train'));
      await importDataset(store, 'c', samples, { config, concurrency });
      expect(store.peak).toBe(concurrency);
    }
  });

  it('accepts async iterables and honours explicit splits', async () => {
    const store = new MemoryBlobStore();
    async function* gen() {
      yield sample('cat', 'a.png', 'val');
      yield sample('dog', 'b.png', 'test');
      yield sample('Ankle boot', 'c d.png', 'train');
    }
    const progress: (number | undefined)[] = [];
    const result = await importDataset(store, 'pets', gen(), {
      config,
      onProgress: (p) => progress.push(p.total),
    });
    expect([...store.objects.keys()].sort()).toEqual([
      'datasets/pets/graft.json',
      'datasets/pets/test/dog/b.png',
      'datasets/pets/train/Ankle boot/c d.png',
      'datasets/pets/val/cat/a.png',
    ]);
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
    const store = new MemoryBlobStore();
    const error = await importDataset(store, dataset, [bad], { config }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidDatasetError);
    expect(error).toMatchObject({ code: 'invalid_dataset', name: 'InvalidDatasetError' });
    expect([...store.objects.keys()].filter((k) => !k.endsWith('graft.json'))).toEqual([]);
  });

  it('rejects duplicate keys, labels outside config.labels and bad configs', async () => {
    const store = new MemoryBlobStore();
    await expect(
      importDataset(store, 'd', [sample('a', 'x.png', 'train'), sample('a', 'x.png', 'train')], { config }),
    ).rejects.toThrow(/same key datasets\/d\/train\/a\/x.png/);
    await expect(
      importDataset(store, 'e', [sample('c', 'x.png')], { config: { ...config, labels: ['a', 'b'] } }),
    ).rejects.toThrow(/not one of config.labels/);
    await expect(importDataset(store, 'f', [], { config: { ...config, inputSize: 0 } })).rejects.toThrow(
      InvalidDatasetError,
    );
    await expect(importDataset(store, 'f', [], { config, concurrency: 0 })).rejects.toThrow(
      InvalidDatasetError,
    );
    await expect(
      importDataset(store, 'f', [], { config, fractions: { train: 0.5, val: 0.1, test: 0.1 } }),
    ).rejects.toThrow(InvalidDatasetError);
    expect(store.objects.has('datasets/f/graft.json')).toBe(false);
  });

  it('keeps an identical graft.json, refuses a conflicting one, replaces it when asked', async () => {
    const store = new MemoryBlobStore();
    const first = await importDataset(store, 'p', [sample('a', '1.png')], { config });
    const second = await importDataset(store, 'p', [sample('a', '2.png')], { config });
    expect(second.configWritten).toBe(false);
    expect(second.config.createdAt).toBe(first.config.createdAt);
    expect(store.putOrder.filter((k) => k.endsWith('graft.json'))).toHaveLength(1);
    const conflict = importDataset(store, 'p', [sample('a', '3.png')], {
      config: { ...config, inputSize: 160 },
    });
    await expect(conflict).rejects.toThrow(DatasetConflictError);
    await expect(conflict).rejects.toMatchObject({ code: 'dataset_conflict' });
    const replaced = await importDataset(store, 'p', [], {
      config: { ...config, inputSize: 160 },
      overwriteConfig: true,
    });
    expect(replaced.configWritten).toBe(true);
    expect(JSON.parse(new TextDecoder().decode(await store.get('datasets/p/graft.json'))).inputSize).toBe(
      160,
    );
  });

  it('stops starting uploads after a failure and rethrows it once in-flight uploads settle', async () => {
    const store = new MemoryBlobStore();
    store.failOn = (key) => key.endsWith('/5.png');
    const samples = Array.from({ length: 100 }, (_, i) => sample('a', `${i}.png`, 'train'));
    await expect(importDataset(store, 'x', samples, { config, concurrency: 4 })).rejects.toThrow(
      /injected failure/,
    );
    expect(store.inFlight).toBe(0);
    expect(store.putOrder.length).toBeLessThanOrEqual(1 + 6 + 4);
  });
});

describe('importFolder', () => {
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
    const store = new MemoryBlobStore();
    const result = await importFolder(store, 'pets', join(root, 'labels'), { config });
    expect(result.layout).toBe('label');
    expect(store.putOrder[0]).toBe('datasets/pets/graft.json');
    const keys = store.putOrder.slice(1).map((k) => k.replace(/^datasets\/pets\/(train|val|test)\//, ''));
    expect(keys.sort()).toEqual(['cat/1.png', 'cat/notes.txt', 'dog/2.jpg']);
    const find = (suffix: string) => [...store.objects.entries()].find(([k]) => k.endsWith(suffix))![1];
    expect(find('notes.txt').contentType).toBe('application/octet-stream');
    expect(find('2.jpg').contentType).toBe('image/png');
    expect(find('1.png').bytes).toEqual(png);
    expect(result.skipped).toEqual([
      { path: '.git', reason: 'hidden' },
      { path: 'README.md', reason: 'not inside a label folder' },
      { path: join('cat', '.DS_Store'), reason: 'hidden' },
      { path: join('dog', 'deeper'), reason: 'not a file under <label>/' },
    ]);
    expect(result.total).toBe(3);
  });

  it('imports <split>/<label>/<file> keeping the given splits', async () => {
    const store = new MemoryBlobStore();
    const result = await importFolder(store, 'pets', join(root, 'splits'), { config });
    expect(result.layout).toBe('split');
    expect([...store.objects.keys()].sort()).toEqual([
      'datasets/pets/graft.json',
      'datasets/pets/test/dog/3.png',
      'datasets/pets/train/cat/1.png',
      'datasets/pets/val/dog/2.png',
    ]);
    expect(result.counts).toEqual({ train: { cat: 1 }, val: { dog: 1 }, test: { dog: 1 } });
  });

  it('handles an empty folder and refuses a missing one', async () => {
    const store = new MemoryBlobStore();
    expect((await importFolder(store, 'e', join(root, 'empty'), { config })).total).toBe(0);
    await expect(importFolder(store, 'e', join(root, 'nope'), { config })).rejects.toThrow(
      DatasetUnavailableError,
    );
  });
});
