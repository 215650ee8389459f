import { readdir } from 'node:fs/promises';
import path from 'node:path';
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
  S3Object: new (bucket: string, key: string, content: null, metadata: Record<string, string>) => unknown;
}

const OBJECT_SUFFIX = '._S3rver_object';

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
