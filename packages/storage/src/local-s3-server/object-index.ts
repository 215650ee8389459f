/**
 * The in-memory index of a bucket: every key in S3's byte order (so listings never walk directories), and the
 * entries of objects touched so far (loaded from disk on first use, kept current by every write).
 */
import type { Dirent } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { byteCompare } from '../byte-compare.js';
import { isTempName, OBJECT_SUFFIX, objectPaths, UPLOADS_DIR } from './disk-layout.js';
import { type ObjectEntry, readEntry } from './object-metadata.js';

/**
 * Sorted keys plus lazily loaded entries of one bucket directory.
 *
 * @example
 * ```ts
 * const index = await ObjectIndex.load('/data/graft');
 * index.has('a.jpg');
 * const entry = await index.entry('a.jpg');
 * ```
 */
export class ObjectIndex {
  /** Absolute bucket directory. */
  readonly bucketDir: string;
  private readonly keys: string[];
  private readonly entries = new Map<string, ObjectEntry | undefined>();
  private readonly loading = new Map<string, Promise<ObjectEntry | undefined>>();

  private constructor(bucketDir: string, keys: string[]) {
    this.bucketDir = bucketDir;
    this.keys = keys;
    for (const key of keys) this.entries.set(key, undefined);
  }

  /**
   * Walks `bucketDir` once: collects the keys of all bodies, removes temporary files a crash left behind and
   * multipart uploads of an earlier run.
   *
   * @example
   * ```ts
   * const index = await ObjectIndex.load(path.resolve('.graft/s3/graft'));
   * ```
   */
  static async load(bucketDir: string): Promise<ObjectIndex> {
    const keys: string[] = [];
    await rm(path.join(bucketDir, UPLOADS_DIR), { recursive: true, force: true });
    await walk(bucketDir, '', keys);
    keys.sort(byteCompare);
    return new ObjectIndex(bucketDir, keys);
  }

  /** Number of objects. */
  get size(): number {
    return this.keys.length;
  }

  /** Whether `key` exists (synchronous: the key set is always complete). */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The entry of `key`, read from disk on first use; `undefined` when there is no such object. */
  async entry(key: string): Promise<ObjectEntry | undefined> {
    if (!this.entries.has(key)) return undefined;
    const known = this.entries.get(key);
    if (known) return known;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = readEntry(objectPaths(this.bucketDir, key)).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    const loaded = await pending;
    // a write or delete may have happened meanwhile: the index wins
    if (!this.entries.has(key)) return undefined;
    const current = this.entries.get(key);
    if (current) return current;
    if (loaded) this.entries.set(key, loaded);
    return loaded;
  }

  /** Records `key` as written with `entry` (after its files are in place). */
  set(key: string, entry: ObjectEntry): void {
    if (!this.entries.has(key)) this.keys.splice(this.lowerBound(key), 0, key);
    this.entries.set(key, entry);
  }

  /** Forgets `key` (after its body is removed). */
  delete(key: string): void {
    if (!this.entries.delete(key)) return;
    const i = this.lowerBound(key);
    if (this.keys[i] === key) this.keys.splice(i, 1);
  }

  /**
   * Keys in byte order, starting with the first key that is greater than `after` (or not less than `from`).
   *
   * @example
   * ```ts
   * for (const key of index.keysFrom('photos/', '')) if (!key.startsWith('photos/')) break;
   * ```
   */
  *keysFrom(from: string, after: string): Generator<string> {
    let i = this.lowerBound(byteCompare(from, after) > 0 ? from : after);
    if (this.keys[i] === after && byteCompare(from, after) <= 0) i++;
    for (; i < this.keys.length; i++) yield this.keys[i]!;
  }

  /** Index of the first key not less than `key`. */
  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (byteCompare(this.keys[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

async function walk(dir: string, rel: string, keys: string[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) {
      if (rel === '' && entry.name === UPLOADS_DIR) continue;
      await walk(path.join(dir, entry.name), `${rel}${entry.name}/`, keys);
    } else if (entry.name.endsWith(OBJECT_SUFFIX)) {
      keys.push(rel + entry.name.slice(0, -OBJECT_SUFFIX.length));
    } else if (isTempName(entry.name)) {
      await rm(path.join(dir, entry.name), { force: true });
    }
  }
}
