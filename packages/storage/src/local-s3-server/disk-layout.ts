/**
 * Where objects live on disk. The layout is s3rver's (so data directories written by earlier Graft versions,
 * which embedded s3rver, are read as they are): object `a/b/c.jpg` of bucket `b1` is the file
 * `<dir>/b1/a/b/c.jpg._S3rver_object`, its metadata `c.jpg._S3rver_metadata.json` beside it, and s3rver's
 * `c.jpg._S3rver_object.md5` (read when present, no longer written: the metadata document records the ETag).
 */
import path from 'node:path';
import { keyProblem, MAX_SEGMENT_BYTES } from '../key-rules.js';
import { invalidArgument, S3ServerError } from './errors.js';

/** Suffix of an object's body file. */
export const OBJECT_SUFFIX = '._S3rver_object';
/** Suffix of an object's metadata document. */
export const METADATA_SUFFIX = '._S3rver_metadata.json';
/** Suffix of s3rver's MD5 file (legacy: read while it is not older than the body, removed on delete). */
export const MD5_SUFFIX = '._S3rver_object.md5';
/** Directory below the bucket directory holding multipart uploads in progress. */
export const UPLOADS_DIR = '._S3rver_uploads';
/** Suffix of temporary files (renamed into place when complete; removed at start if a crash left them). */
export const TEMP_SUFFIX = '.graft-tmp';

/** Longest key segment (UTF-8 bytes): keys become file names (255 bytes) plus the longest suffix above. */
export { MAX_SEGMENT_BYTES };

/** What every file name of this layout contains (compared case-insensitively). */
const RESERVED_MARK = '._S3rver_';

/**
 * Whether a key segment could name one of the server's own files (body, metadata, MD5, uploads directory,
 * temporary file) instead of an object's.
 *
 * @example
 * ```ts
 * isReservedSegment('x._S3rver_object'); // true
 * isReservedSegment('cat.jpg'); // false
 * ```
 */
export function isReservedSegment(segment: string): boolean {
  return segment.toLowerCase().includes(RESERVED_MARK.toLowerCase()) || segment.endsWith(TEMP_SUFFIX);
}

/** The files of one object. */
export interface ObjectPaths {
  /** Directory holding the three files. */
  dir: string;
  body: string;
  metadata: string;
  md5: string;
}

/**
 * Throws `400 InvalidArgument` unless `key` is safe to map to a path: {@link keyProblem}'s rules (no `.`,
 * `..` or empty segments, no control characters, ≤ 1024 bytes), every segment ≤ {@link MAX_SEGMENT_BYTES}
 * bytes, and no segment using the server's own file names ({@link isReservedSegment}: `x._S3rver_object/y`
 * would collide with object `x`'s body file, `._S3rver_uploads/…` with the multipart uploads).
 *
 * @example
 * ```ts
 * checkKey('a/b.jpg'); // ok
 * checkKey('../x'); // throws S3ServerError InvalidArgument
 * ```
 */
export function checkKey(key: string): void {
  const problem = keyProblem(key);
  if (problem) {
    if (problem.startsWith('longer than')) {
      throw new S3ServerError('KeyTooLongError', 'Your key is too long', { Key: key });
    }
    throw invalidArgument('key', `Invalid key: ${problem}`);
  }
  let start = 0;
  while (start <= key.length) {
    let end = key.indexOf('/', start);
    if (end === -1) end = key.length;
    const segment = key.slice(start, end);
    const bytes = Buffer.byteLength(segment);
    if (bytes > MAX_SEGMENT_BYTES) {
      throw invalidArgument(
        'key',
        `Invalid key: a segment has ${bytes} bytes; the local S3 stores keys as files and allows ${MAX_SEGMENT_BYTES} bytes per segment`,
      );
    }
    if (isReservedSegment(segment)) {
      throw invalidArgument(
        'key',
        `Invalid key: a segment may not contain ${RESERVED_MARK} or end with ${TEMP_SUFFIX} (the local S3's own file names)`,
      );
    }
    start = end + 1;
  }
}

/**
 * The files of `key` below `bucketDir` (an absolute path). The key must have passed {@link checkKey};
 * the result is re-checked to lie inside `bucketDir`.
 *
 * @example
 * ```ts
 * objectPaths('/data/b1', 'a/c.jpg').body; // '/data/b1/a/c.jpg._S3rver_object'
 * ```
 */
export function objectPaths(bucketDir: string, key: string): ObjectPaths {
  const slash = key.lastIndexOf('/');
  const dir = slash === -1 ? bucketDir : path.join(bucketDir, key.slice(0, slash));
  const name = key.slice(slash + 1);
  const body = path.join(dir, name + OBJECT_SUFFIX);
  if (!body.startsWith(bucketDir + path.sep))
    throw invalidArgument('key', 'Invalid key: resolves outside the bucket');
  return {
    dir,
    body,
    metadata: path.join(dir, name + METADATA_SUFFIX),
    md5: path.join(dir, name + MD5_SUFFIX),
  };
}

let tempCounter = 0;
const tempPrefix = `${process.pid.toString(36)}-${Date.now().toString(36)}`;

/**
 * A fresh temporary name beside `file` (same directory, so the final rename is atomic).
 *
 * @example
 * ```ts
 * const tmp = tempPathFor('/data/b1/a._S3rver_object'); // '/data/b1/a._S3rver_object.<id>.graft-tmp'
 * ```
 */
export function tempPathFor(file: string): string {
  tempCounter += 1;
  return `${file}.${tempPrefix}-${tempCounter.toString(36)}${TEMP_SUFFIX}`;
}

/** s3rver-era Graft temp files (`<file>.<12 hex>.tmp`) that a crash may have left behind. */
const LEGACY_TEMP = /\._S3rver_[a-z0-9.]+\.[0-9a-f]{12}\.tmp$/;

/**
 * Whether a file name is a leftover temporary file (ours or the previous hardening's).
 *
 * @example
 * ```ts
 * isTempName('a._S3rver_object.x1-2.graft-tmp'); // true
 * ```
 */
export function isTempName(name: string): boolean {
  return name.endsWith(TEMP_SUFFIX) || LEGACY_TEMP.test(name);
}
