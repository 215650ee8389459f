/**
 * The objects of one bucket on disk: atomic writes (temporary file, then rename; the metadata document last),
 * reads that see one whole version, deletes and copies, all reflected in the {@link ObjectIndex}.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { type FileHandle, mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkKey, type ObjectPaths, objectPaths, tempPathFor, UPLOADS_DIR } from './disk-layout.js';
import { noSuchKey, preconditionFailed } from './errors.js';
import { KeyLocks } from './key-locks.js';
import { ObjectIndex } from './object-index.js';
import { metadataDocument, type ObjectEntry } from './object-metadata.js';

/** How an object came to be (the event it produces). */
export type WriteKind = 'Put' | 'Copy' | 'CompleteMultipartUpload';

/** Who asked for a write (reported in its event). */
export interface CommitOrigin {
  sourceIp: string;
  requestId: string;
}

/** Called right after a write is in place, in commit order. */
export type CommitListener = (key: string, entry: ObjectEntry, kind: WriteKind, origin: CommitOrigin) => void;

/** Options of a write. */
export interface WriteOptions {
  /** Refuse (412) when the key exists, atomically with the commit (`If-None-Match: *`). */
  ifNoneMatch?: boolean;
  origin: CommitOrigin;
}

/** A complete body in a temporary file, ready to be committed under a key. */
export interface StagedBody {
  file: string;
  size: number;
  /** Quoted ETag. */
  etag: string;
  mtimeMs: number;
}

/** An object opened for reading: the file handle pins one version. */
export interface OpenedObject {
  handle: FileHandle;
  entry: ObjectEntry;
  /** Size of the opened version (from the open file). */
  size: number;
}

/**
 * One bucket's objects.
 *
 * @example
 * ```ts
 * const store = await ObjectStore.open('/data/graft', (key, entry, kind, origin) => emit(key, entry, kind, origin));
 * const staged = { file, size, etag, mtimeMs }; // e.g. from receiveBody
 * await store.commit('a.jpg', staged, { 'content-type': 'image/jpeg' }, 'Put', { ifNoneMatch: true, origin });
 * ```
 */
export class ObjectStore {
  readonly index: ObjectIndex;
  private readonly locks = new KeyLocks();
  private readonly dirs = new Set<string>();
  private readonly onCommit: CommitListener;

  private constructor(index: ObjectIndex, onCommit: CommitListener) {
    this.index = index;
    this.onCommit = onCommit;
  }

  /**
   * Opens (creating) the bucket directory and indexes it. `onCommit` runs synchronously right after each
   * write is in place, in commit order.
   */
  static async open(bucketDir: string, onCommit: CommitListener): Promise<ObjectStore> {
    await mkdir(bucketDir, { recursive: true });
    return new ObjectStore(await ObjectIndex.load(bucketDir), onCommit);
  }

  /** The files of `key`, after checking it (400 for unsafe keys). */
  paths(key: string): ObjectPaths {
    checkKey(key);
    return objectPaths(this.index.bucketDir, key);
  }

  /** Creates the directory of `paths` (cached: directories are never removed while running). */
  async ensureDir(dir: string): Promise<void> {
    if (this.dirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.dirs.add(dir);
  }

  /**
   * Moves a staged body into place under `key` with `headers` as its stored headers. With `ifNoneMatch`,
   * refuses (412) when `key` exists, atomically with the commit. The staged file is consumed either way.
   */
  async commit(
    key: string,
    staged: StagedBody,
    headers: Record<string, string>,
    kind: WriteKind,
    options: WriteOptions,
  ): Promise<ObjectEntry> {
    const paths = this.paths(key);
    const entry: ObjectEntry = { size: staged.size, etag: staged.etag, mtimeMs: staged.mtimeMs, headers };
    const metaTemp = tempPathFor(paths.metadata);
    try {
      await this.ensureDir(paths.dir);
      await writeFile(metaTemp, metadataDocument(entry));
      await this.locks.run(key, async () => {
        if (options.ifNoneMatch && this.index.has(key)) throw preconditionFailed();
        await rename(staged.file, paths.body);
        await rename(metaTemp, paths.metadata);
        this.index.set(key, entry);
        this.onCommit(key, entry, kind, options.origin);
      });
      return entry;
    } catch (err) {
      await Promise.all([rm(staged.file, { force: true }), rm(metaTemp, { force: true })]);
      throw err;
    }
  }

  /**
   * Writes a small body held in memory under `key` (same guarantees as {@link commit}). Synchronous file calls:
   * for small files they cost a quarter of the CPU of the thread-pool round trips. A new key is written as a
   * temporary body renamed to its (free) name plus the metadata document written in place (a crash leaves no
   * document or a torn one; {@link readEntry} then recomputes the ETag). Replacing a key renames over it
   * asynchronously: ext4 flushes a file renamed over another, which must not stall the event loop.
   */
  async commitBytes(
    key: string,
    bytes: Buffer,
    md5Hex: string,
    headers: Record<string, string>,
    kind: WriteKind,
    options: WriteOptions,
  ): Promise<ObjectEntry> {
    const paths = this.paths(key);
    return this.locks.run(key, async () => {
      if (options.ifNoneMatch && this.index.has(key)) throw preconditionFailed();
      if (!this.dirs.has(paths.dir)) {
        mkdirSync(paths.dir, { recursive: true });
        this.dirs.add(paths.dir);
      }
      const temp = tempPathFor(paths.body);
      const fd = openSync(temp, 'wx');
      let mtimeMs: number;
      try {
        for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
        mtimeMs = fstatSync(fd).mtimeMs;
      } catch (err) {
        closeSync(fd);
        rmSync(temp, { force: true });
        throw err;
      }
      closeSync(fd);
      const entry: ObjectEntry = { size: bytes.length, etag: `"${md5Hex}"`, mtimeMs, headers };
      const document = metadataDocument(entry);
      if (!this.index.has(key)) {
        try {
          renameSync(temp, paths.body);
          writeFileSync(paths.metadata, document);
        } catch (err) {
          rmSync(temp, { force: true });
          rmSync(paths.body, { force: true });
          throw err;
        }
      } else {
        const metaTemp = tempPathFor(paths.metadata);
        try {
          writeFileSync(metaTemp, document);
          await rename(temp, paths.body);
          await rename(metaTemp, paths.metadata);
        } catch (err) {
          rmSync(temp, { force: true });
          rmSync(metaTemp, { force: true });
          throw err;
        }
      }
      this.index.set(key, entry);
      this.onCommit(key, entry, kind, options.origin);
      return entry;
    });
  }

  /**
   * Reads all of `key` when it has at most `maxBytes` (synchronously: cheap for small files); `undefined` when
   * it is larger (use {@link openObject}). 404 NoSuchKey when absent. Body and entry always belong to one version.
   */
  async readSmall(
    key: string,
    maxBytes: number,
    settled = false,
  ): Promise<{ entry: ObjectEntry; bytes: Buffer } | undefined> {
    const paths = this.paths(key);
    const entry = await this.index.entry(key);
    if (!entry) throw noSuchKey(key);
    if (entry.size > maxBytes) return undefined;
    let fd: number;
    try {
      fd = openSync(paths.body, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw noSuchKey(key);
      throw err;
    }
    let bytes: Buffer;
    try {
      const { size, mtimeMs } = fstatSync(fd);
      if (size !== entry.size || mtimeMs !== entry.mtimeMs) {
        // a write is landing right now: read again once it is committed, so body and entry agree
        if (settled) throw new Error(`index and file of ${key} disagree`);
        closeSync(fd);
        fd = -1;
        return await this.locks.run(key, () => this.readSmall(key, maxBytes, true));
      }
      bytes = Buffer.allocUnsafe(size);
      let read = 0;
      while (read < size) {
        const n = readSync(fd, bytes, read, size - read, read);
        if (n === 0) throw new Error(`${key} shrank while being read`);
        read += n;
      }
    } finally {
      if (fd !== -1) closeSync(fd);
    }
    return { entry, bytes };
  }

  /** Opens `key` for reading (404 NoSuchKey when absent). The caller closes `handle`. */
  async openObject(key: string): Promise<OpenedObject> {
    const paths = this.paths(key);
    if (!this.index.has(key)) throw noSuchKey(key);
    let handle: FileHandle;
    try {
      handle = await open(paths.body, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw noSuchKey(key);
      throw err;
    }
    try {
      const [entry, stats] = await Promise.all([this.index.entry(key), handle.stat()]);
      if (!entry) throw noSuchKey(key);
      return { handle, entry, size: stats.size };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** The entry of `key` (404 NoSuchKey when absent). */
  async head(key: string): Promise<ObjectEntry> {
    this.paths(key);
    const entry = await this.index.entry(key);
    if (!entry) throw noSuchKey(key);
    return entry;
  }

  /** Removes `key` (no error when absent, like S3). */
  async delete(key: string): Promise<void> {
    const paths = this.paths(key);
    await this.locks.run(key, async () => {
      if (!this.index.has(key)) return;
      await rm(paths.body, { force: true });
      this.index.delete(key);
      await Promise.all([rm(paths.metadata, { force: true }), rm(paths.md5, { force: true })]);
    });
  }

  /**
   * Copies `source` to `target` (whole version; the ETag is computed from the bytes copied). `headers`
   * replaces the stored headers (`MetadataDirective: REPLACE`); by default the source's are kept.
   */
  async copy(
    source: string,
    target: string,
    headers: Record<string, string> | undefined,
    options: WriteOptions,
  ): Promise<ObjectEntry> {
    const targetPaths = this.paths(target);
    const opened = await this.openObject(source);
    const file = tempPathFor(targetPaths.body);
    let out: FileHandle | undefined;
    try {
      await this.ensureDir(targetPaths.dir);
      out = await open(file, 'wx');
      const hash = createHash('md5');
      const buffer = Buffer.allocUnsafe(Math.min(Math.max(opened.size, 1), 1024 * 1024));
      let position = 0;
      while (position < opened.size) {
        const { bytesRead } = await opened.handle.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) break;
        const chunk = buffer.subarray(0, bytesRead);
        hash.update(chunk);
        await out.write(chunk);
        position += bytesRead;
      }
      const { mtimeMs } = await out.stat();
      await out.close();
      out = undefined;
      const staged = { file, size: position, etag: `"${hash.digest('hex')}"`, mtimeMs };
      return await this.commit(target, staged, headers ?? opened.entry.headers, 'Copy', options);
    } catch (err) {
      await out?.close().catch(() => {});
      await rm(file, { force: true });
      throw err;
    } finally {
      await opened.handle.close();
    }
  }

  /** Directory for multipart uploads of this bucket. */
  uploadsDir(): string {
    return path.join(this.index.bucketDir, UPLOADS_DIR);
  }
}
