/**
 * ListObjectsV2 and ListObjects (V1) over the in-memory index: S3's UTF-8 byte order, `prefix`, `delimiter`
 * (common prefixes count towards `max-keys`, as in S3), `start-after` / `marker`, and opaque continuation tokens.
 */
import { invalidArgument } from './errors.js';
import type { ObjectIndex } from './object-index.js';
import type { ObjectEntry } from './object-metadata.js';

/** What a listing request asks for. */
export interface ListRequest {
  prefix: string;
  delimiter: string;
  /** List keys after this one (V2 `start-after`, V1 `marker`). */
  after: string;
  /** Resume point from a continuation token: skip every key starting with this common prefix too. */
  afterPrefix?: boolean;
  maxKeys: number;
}

/** One page. */
export interface ListPage {
  contents: { key: string; entry: ObjectEntry }[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix of the page (the resume point). */
  last?: { value: string; isPrefix: boolean };
}

/**
 * Parses `max-keys` (default 1000, capped at 1000; `400 InvalidArgument` when not a non-negative integer).
 *
 * @example
 * ```ts
 * parseMaxKeys('7'); // 7
 * ```
 */
export function parseMaxKeys(text: string | null): number {
  if (text === null || text === '') return 1000;
  if (!/^\d{1,10}$/.test(text)) {
    throw invalidArgument('max-keys', 'Provided max-keys not an integer or within integer range');
  }
  return Math.min(Number(text), 1000);
}

/**
 * One page of the bucket's keys.
 *
 * @example
 * ```ts
 * const page = await listPage(index, { prefix: 'photos/', delimiter: '/', after: '', maxKeys: 1000 });
 * ```
 */
export async function listPage(index: ObjectIndex, request: ListRequest): Promise<ListPage> {
  const { prefix, delimiter, after, afterPrefix, maxKeys } = request;
  const keys: string[] = [];
  const commonPrefixes: string[] = [];
  let last: ListPage['last'];
  let isTruncated = false;
  let lastPrefix: string | undefined = afterPrefix ? after : undefined;
  for (const key of index.keysFrom(prefix, after)) {
    if (!key.startsWith(prefix)) break;
    if (lastPrefix !== undefined && key.startsWith(lastPrefix)) continue;
    let common: string | undefined;
    if (delimiter) {
      const at = key.indexOf(delimiter, prefix.length);
      if (at !== -1) common = key.slice(0, at + delimiter.length);
    }
    if (keys.length + commonPrefixes.length >= maxKeys) {
      isTruncated = true;
      break;
    }
    if (common !== undefined) {
      commonPrefixes.push(common);
      lastPrefix = common;
      last = { value: common, isPrefix: true };
    } else {
      keys.push(key);
      last = { value: key, isPrefix: false };
    }
  }
  const entries = await Promise.all(keys.map((key) => index.entry(key)));
  const contents = keys.flatMap((key, i) => {
    const entry = entries[i];
    return entry ? [{ key, entry }] : []; // deleted meanwhile
  });
  return { contents, commonPrefixes, isTruncated, last };
}

/**
 * Encodes a V2 continuation token (opaque to clients: base64url JSON of bucket and resume point).
 *
 * @example
 * ```ts
 * decodeContinuationToken(encodeContinuationToken('b', { value: 'k1', isPrefix: false }));
 * ```
 */
export function encodeContinuationToken(bucket: string, last: { value: string; isPrefix: boolean }): string {
  return Buffer.from(
    JSON.stringify({ b: bucket, k: last.value, ...(last.isPrefix ? { p: 1 } : {}) }),
  ).toString('base64url');
}

/**
 * Decodes a token of {@link encodeContinuationToken} for `bucket`; `400 InvalidArgument` when it is not one.
 *
 * @example
 * ```ts
 * decodeContinuationToken(token, 'graft'); // { after: 'k1', afterPrefix: false }
 * ```
 */
export function decodeContinuationToken(
  token: string,
  bucket: string,
): { after: string; afterPrefix: boolean } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (parsed?.b === bucket && typeof parsed.k === 'string')
      return { after: parsed.k, afterPrefix: parsed.p === 1 };
  } catch {
    // fall through
  }
  throw invalidArgument('continuation-token', 'The continuation token provided is incorrect');
}
