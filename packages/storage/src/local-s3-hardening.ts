import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { byteCompare } from './byte-compare.js';
import { keyProblem } from './key-rules.js';
import type { ListState } from './local-s3-list-patch.js';

/** The subset of s3rver's `FilesystemStore` that the hardening wraps. */
export interface S3rverStore {
  getBucketPath(bucket: string): string;
  getResourcePath(bucket: string, key?: string, resource?: string): string;
  getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
  existsObject(bucket: string, key: string): Promise<boolean>;
  listObjects(bucket: string, options: ListOptions): Promise<ListResult>;
  putObject?(object: PutObjectInput): Promise<{ size: number; md5: string }>;
  getObject?(bucket: string, key: string, options?: { start?: number; end?: number }): Promise<unknown>;
}

/** What s3rver's controllers hand to `store.putObject`. */
interface PutObjectInput {
  bucket: string;
  key: string;
  metadata: Record<string, string>;
  content: Buffer | NodeJS.ReadableStream;
}

interface ListOptions {
  delimiter?: string;
  startAfter?: string;
  prefix?: string;
  maxKeys?: number;
}

interface ListResult {
  objects: unknown[];
  commonPrefixes: string[];
  isTruncated: boolean;
}

/** Constructors from s3rver's own modules, so thrown errors become proper S3 XML error responses. */
export interface S3rverModels {
  S3Error: new (code: string, message: string, detail?: Record<string, string>) => Error;
  S3Object: new (
    bucket: string,
    key: string,
    content: NodeJS.ReadableStream | null,
    metadata: Record<string, string>,
  ) => { range?: { start: number; end: number } };
}

const OBJECT_SUFFIX = '._S3rver_object';

/** Longest key segment (UTF-8 bytes) the local server stores: 255-byte file names minus its longest suffix. */
const MAX_SEGMENT_BYTES = 200;

/** The metadata s3rver keeps besides `x-amz-meta-*` (its `S3Object.ALLOWED_METADATA`). */
const METADATA_KEYS = new Set([
  'content-type',
  'content-encoding',
  'content-disposition',
  'content-language',
  'cache-control',
  'expires',
  'x-amz-storage-class',
  'x-amz-website-redirect-location',
]);

/**
 * Patches an s3rver `FilesystemStore` in place so that (1) no bucket name or object key can resolve
 * to a path outside `rootDirectory/<bucket>` — s3rver 3.7 joins keys into paths unchecked, so
 * `../../x` writes outside its directory — and (2) listings come back in S3's UTF-8 byte order with
 * correct pagination (s3rver walks directories, which puts `a/b` before `a-c` and then loses keys
 * across pages). With `listState`, truncation of V2 listings is reported there instead.
 *
 * @example
 * ```ts
 * hardenS3rverStore(s3rver.store as S3rverStore, dir, { S3Error, S3Object });
 * ```
 */
export function hardenS3rverStore(
  store: S3rverStore,
  rootDirectory: string,
  models: S3rverModels,
  listState?: { getStore(): ListState | undefined },
): void {
  const root = path.resolve(rootDirectory);
  const { S3Error, S3Object } = models;
  const originalBucketPath = store.getBucketPath.bind(store);
  const originalResourcePath = store.getResourcePath.bind(store);

  const bucketPath = (bucket: string): string => {
    if (!bucket || bucket === '.' || bucket === '..' || /[/\\]/.test(bucket)) {
      throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', { BucketName: bucket });
    }
    const resolved = originalBucketPath(bucket);
    if (path.dirname(path.resolve(resolved)) !== root) {
      throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', { BucketName: bucket });
    }
    return resolved;
  };
  store.getBucketPath = bucketPath;

  store.getResourcePath = (bucket: string, key?: string, resource?: string): string => {
    const base = path.resolve(bucketPath(bucket));
    if (key) {
      const problem = keyProblem(key);
      if (problem) throw new S3Error('InvalidArgument', `Invalid key: ${problem}`, { ArgumentName: 'key' });
      // Keys become file names: a longer segment would fail with ENAMETOOLONG (a 500, retried forever) once
      // the server's suffixes are added. Refuse it as a client error instead (S3 itself has no such limit).
      const long = key.split('/').find((segment) => Buffer.byteLength(segment) > MAX_SEGMENT_BYTES);
      if (long !== undefined) {
        throw new S3Error(
          'InvalidArgument',
          `Invalid key: a segment has ${Buffer.byteLength(long)} bytes; the local S3 stores keys as files and allows ${MAX_SEGMENT_BYTES} bytes per segment`,
          { ArgumentName: 'key' },
        );
      }
    }
    const resolved = originalResourcePath(bucket, key, resource);
    if (!path.resolve(resolved).startsWith(base + path.sep)) {
      throw new S3Error('InvalidArgument', 'Invalid key: resolves outside the bucket', {
        ArgumentName: 'key',
      });
    }
    return resolved;
  };

  store.listObjects = async (bucket: string, options: ListOptions): Promise<ListResult> => {
    const { delimiter = '', startAfter = '', prefix = '', maxKeys = Number.POSITIVE_INFINITY } = options;
    const base = path.resolve(bucketPath(bucket));
    const keys = (await collectKeys(base, '', prefix)).filter(
      (k) => k.startsWith(prefix) && byteCompare(k, startAfter) > 0,
    );
    keys.sort(byteCompare);
    const page: string[] = [];
    const commonPrefixes = new Set<string>();
    let isTruncated = false;
    for (const key of keys) {
      if (delimiter) {
        const idx = key.indexOf(delimiter, prefix.length);
        if (idx !== -1) {
          commonPrefixes.add(key.slice(0, idx + delimiter.length));
          continue;
        }
      }
      if (page.length >= maxKeys) {
        isTruncated = true;
        break;
      }
      page.push(key);
    }
    const metadata = await Promise.all(
      page.map((key) =>
        store.getMetadata(bucket, key).catch((err) => {
          if ((err as { code?: string }).code === 'ENOENT') return undefined; // deleted meanwhile
          throw err;
        }),
      ),
    );
    const objects = page.flatMap((key, i) => {
      const meta = metadata[i];
      return meta ? [new S3Object(bucket, key, null, meta)] : [];
    });
    // A V2 listing reports truncation through the request state (see patchListObjectsV2): s3rver's
    // own continuation tokens need DES, which Node's OpenSSL 3 refuses.
    const scratch = listState?.getStore();
    if (scratch && isTruncated) {
      scratch.truncated = true;
      isTruncated = false;
    }
    return { objects, commonPrefixes: [...commonPrefixes].sort(byteCompare), isTruncated };
  };

  // s3rver writes objects in place and answers before the bytes are flushed, so a GET racing a PUT
  // (a job record read while it is being updated) sees a partial file. S3 is atomic per object:
  // write everything to temporary files, flush, then rename into place (object last).
  // Reads open the object once and take its length from that open file, so a concurrent replace (a
  // rename) can never cut a response short: the reader sees the old object or the new one, whole.
  store.getObject = async (bucket: string, key: string, options?: { start?: number; end?: number }) => {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(store.getResourcePath(bucket, key, 'object'), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      const size = (await handle.stat()).size;
      const metadata = { ...(await store.getMetadata(bucket, key)), 'content-length': String(size) };
      const lastByte = Math.max(0, size - 1);
      const ranged = options !== undefined && (options.start !== undefined || Boolean(options.end));
      const range = {
        start: options?.start ?? 0,
        end: Math.min(options?.end ?? Number.POSITIVE_INFINITY, lastByte),
      };
      if (range.start < 0 || range.end < range.start) {
        await handle.close();
        const object = new S3Object(bucket, key, null, metadata);
        if (ranged) object.range = range;
        return object;
      }
      const object = new S3Object(
        bucket,
        key,
        handle.createReadStream({ ...range, autoClose: true }),
        metadata,
      );
      if (ranged) object.range = range;
      return object;
    } catch (error) {
      await handle.close().catch(() => {});
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  };

  store.putObject = async (object: PutObjectInput) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    const metadataPath = store.getResourcePath(object.bucket, object.key, 'metadata.json');
    const md5Path = store.getResourcePath(object.bucket, object.key, 'object.md5');
    await mkdir(path.dirname(objectPath), { recursive: true });
    const suffix = `.${randomBytes(6).toString('hex')}.tmp`;
    const md5Context = createHash('md5');
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5Context.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    const temporary = [objectPath, metadataPath, md5Path].map((p) => p + suffix) as [string, string, string];
    try {
      await pipeline(source, counter, createWriteStream(temporary[0]));
      const md5 = md5Context.digest('hex');
      const json = Object.fromEntries(
        Object.entries(object.metadata).filter(([k]) => METADATA_KEYS.has(k) || k.startsWith('x-amz-meta-')),
      );
      await writeFile(temporary[2], md5);
      await writeFile(temporary[1], JSON.stringify(json, null, 2));
      await rename(temporary[2], md5Path);
      await rename(temporary[1], metadataPath);
      await rename(temporary[0], objectPath);
      return { size, md5 };
    } catch (error) {
      await Promise.all(temporary.map((p) => rm(p, { force: true })));
      throw error;
    }
  };
}

/** Keys of all objects below `dir` (relative key prefix `rel`), pruning directories outside `prefix`. */
async function collectKeys(dir: string, rel: string, prefix: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return [];
    throw err;
  }
  const keys: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) {
      const sub = `${rel}${entry.name}/`;
      if (!sub.startsWith(prefix) && !prefix.startsWith(sub)) continue;
      keys.push(...(await collectKeys(path.join(dir, entry.name), sub, prefix)));
    } else if (entry.name.endsWith(OBJECT_SUFFIX)) {
      keys.push(rel + entry.name.slice(0, -OBJECT_SUFFIX.length));
    }
  }
  return keys;
}
