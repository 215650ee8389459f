/**
 * What the server knows about one stored object, and its on-disk metadata document (s3rver's
 * `._S3rver_metadata.json`, extended with the ETag, size and body mtime so no MD5 file is needed and a
 * crash between the two renames of a write is detected: a document that does not match its body is ignored).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { ObjectPaths } from './disk-layout.js';

/** Content type of objects stored without one (what S3 answers). */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/** Request headers stored with an object and answered on GET/HEAD (besides `x-amz-meta-*`). */
export const STORED_HEADERS = [
  'content-type',
  'content-encoding',
  'content-disposition',
  'content-language',
  'cache-control',
  'expires',
] as const;

/** One stored object. */
export interface ObjectEntry {
  size: number;
  /** Quoted ETag (`"<md5 hex>"`, multipart `"<md5 of part md5s>-<parts>"`). */
  etag: string;
  /** Modification time of the body file (ms since the epoch). */
  mtimeMs: number;
  /** `content-type` and the other {@link STORED_HEADERS} present, and `x-amz-meta-*`, lower-case names. */
  headers: Record<string, string>;
}

const ETAG = 'x-graft-etag';
const SIZE = 'x-graft-size';
const MTIME = 'x-graft-mtime-ms';
const ETAG_TEXT = /^[0-9a-f]{32}(-\d{1,5})?$/;

/**
 * The headers of a request (or of a stored metadata document) that are kept with the object, content type defaulted.
 *
 * @example
 * ```ts
 * storedHeaders(req.headers); // { 'content-type': 'image/png', 'x-amz-meta-owner': 'me' }
 * ```
 */
export function storedHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = { 'content-type': DEFAULT_CONTENT_TYPE };
  for (const name in headers) {
    const value = headers[name];
    if (typeof value !== 'string') continue;
    if (name.startsWith('x-amz-meta-') || (STORED_HEADERS as readonly string[]).includes(name))
      out[name] = value;
  }
  // `aws-chunked` is how the body travelled, not how the object is encoded (S3 drops it too).
  const encoding = out['content-encoding']
    ?.split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e.toLowerCase() !== 'aws-chunked')
    .join(',');
  if (encoding !== undefined) {
    if (encoding === '') delete out['content-encoding'];
    else out['content-encoding'] = encoding;
  }
  return out;
}

/**
 * The metadata document written beside the body.
 *
 * @example
 * ```ts
 * await writeFile(tmp, metadataDocument(entry));
 * ```
 */
export function metadataDocument(entry: ObjectEntry): string {
  return JSON.stringify({
    ...entry.headers,
    [ETAG]: entry.etag.slice(1, -1),
    [SIZE]: entry.size,
    [MTIME]: entry.mtimeMs,
  });
}

/**
 * Reads an object's entry from disk: body stat plus metadata document; a document missing our fields or not
 * matching the body (s3rver's, or a crash between the renames of a write) falls back to s3rver's MD5 file, else
 * the body's MD5 is computed. `undefined` when the body does not exist.
 *
 * @example
 * ```ts
 * const entry = await readEntry(objectPaths(bucketDir, 'a.jpg'));
 * ```
 */
export async function readEntry(paths: ObjectPaths): Promise<ObjectEntry | undefined> {
  let size: number;
  let mtimeMs: number;
  try {
    ({ size, mtimeMs } = await stat(paths.body));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const doc = await readJson(paths.metadata);
  const headers = storedHeaders(doc);
  const recorded = doc[ETAG];
  if (
    typeof recorded === 'string' &&
    ETAG_TEXT.test(recorded) &&
    doc[SIZE] === size &&
    doc[MTIME] === mtimeMs
  ) {
    return { size, etag: `"${recorded}"`, mtimeMs, headers };
  }
  const md5 =
    (typeof recorded !== 'string' && (await legacyMd5(paths.md5, mtimeMs))) || (await md5OfFile(paths.body));
  return { size, etag: `"${md5}"`, mtimeMs, headers };
}

/**
 * s3rver's MD5 file when it describes the current body: written after the body, so not older than it (a body
 * replaced by a later write, or a crash between the renames of one, is newer than a stale MD5 file).
 */
async function legacyMd5(file: string, bodyMtimeMs: number): Promise<string | undefined> {
  try {
    const [text, { mtimeMs }] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    const md5 = text.trim();
    return ETAG_TEXT.test(md5) && mtimeMs >= bodyMtimeMs ? md5 : undefined;
  } catch {
    return undefined;
  }
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

async function md5OfFile(file: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
