import { InvalidKeyError } from './errors.js';

/** S3's limit on the UTF-8 length of an object key. */
export const MAX_KEY_BYTES = 1024;

/**
 * Longest key segment (UTF-8 bytes): file-system backed servers store each segment as a file name (at most 255
 * bytes) plus a suffix of their own (the embedded server's longest is 23 bytes).
 */
export const MAX_SEGMENT_BYTES = 200;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we reject
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const encoder = new TextEncoder();

/**
 * Why `key` is not a safe object key, or `undefined` when it is.
 *
 * A safe key is 1..1024 UTF-8 bytes of `/`-separated, non-empty segments of at most {@link MAX_SEGMENT_BYTES}
 * bytes, none of which is `.` or `..`, without control characters. S3 itself would accept more, but file-system backed servers
 * (the local runtime's embedded server, MinIO, s3rver) map keys to paths: `..` would escape the data directory, and `.` or
 * empty segments would silently alias other keys.
 *
 * @example
 * ```ts
 * keyProblem('datasets/pets/train/cat/1.jpg'); // undefined
 * keyProblem('a/../../etc/passwd'); // 'contains a ".." segment'
 * ```
 */
export function keyProblem(key: string): string | undefined {
  if (typeof key !== 'string' || key.length === 0) return 'must be a non-empty string';
  if (encoder.encode(key).length > MAX_KEY_BYTES) return `longer than ${MAX_KEY_BYTES} bytes`;
  if (CONTROL_CHARS.test(key)) return 'contains control characters';
  for (const segment of key.split('/')) {
    if (segment === '') return 'contains an empty segment (leading, trailing or double "/")';
    if (segment === '.' || segment === '..') return `contains a "${segment}" segment`;
    if (segment.length > MAX_SEGMENT_BYTES / 3 && encoder.encode(segment).length > MAX_SEGMENT_BYTES)
      return `has a segment longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  return undefined;
}

/**
 * Throws {@link InvalidKeyError} unless `key` is safe (see {@link keyProblem}).
 *
 * @example
 * ```ts
 * assertSafeKey('models/pets/current.json'); // ok
 * assertSafeKey('../escape'); // throws InvalidKeyError
 * ```
 */
export function assertSafeKey(key: string): void {
  const problem = keyProblem(key);
  if (problem !== undefined) throw new InvalidKeyError(key, problem);
}
