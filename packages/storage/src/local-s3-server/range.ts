/** The `Range` header of GetObject (one byte range, as S3 supports). */
import { S3ServerError } from './errors.js';

/** Inclusive byte range of an object. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Parses `Range: bytes=a-b | bytes=a- | bytes=-n` against an object of `size` bytes: `undefined` without a
 * header; `416 InvalidRange` when malformed, multi-range or unsatisfiable (start beyond the end).
 *
 * @example
 * ```ts
 * parseRange('bytes=0-9', 100); // { start: 0, end: 9 }
 * parseRange('bytes=-10', 100); // { start: 90, end: 99 }
 * ```
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) throw invalidRange(size);
  const [, first, last] = match;
  let start: number;
  let end: number;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) throw invalidRange(size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(first);
    end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
    if (last !== '' && Number(last) < start) throw invalidRange(size);
  }
  if (start >= size || !Number.isSafeInteger(start) || !Number.isSafeInteger(end)) throw invalidRange(size);
  return { start, end };
}

function invalidRange(size: number): S3ServerError {
  return new S3ServerError('InvalidRange', 'The requested range is not satisfiable', {
    RangeRequested: 'bytes',
    ActualObjectSize: String(size),
  });
}
