/**
 * Multipart uploads (CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload): parts
 * are files in the bucket's uploads directory; completion concatenates them into a temporary file that is then
 * committed like any write. Uploads live in memory: a restart forgets them (and removes their files).
 */
import { createHash, randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { tempPathFor } from './disk-layout.js';
import { invalidArgument, noSuchUpload, S3ServerError } from './errors.js';
import type { ObjectEntry } from './object-metadata.js';
import type { ObjectStore, WriteOptions } from './object-store.js';
import { receiveBody } from './request-body.js';

/** S3's smallest part (all but the last). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** S3's highest part number. */
export const MAX_PART_NUMBER = 10_000;

interface Part {
  file: string;
  size: number;
  md5: Buffer;
}

interface Upload {
  key: string;
  headers: Record<string, string>;
  dir: string;
  parts: Map<number, Part>;
}

/** One part named in a CompleteMultipartUpload request. */
export interface CompletedPart {
  partNumber: number;
  /** ETag as sent (quotes optional). */
  etag: string;
}

const UPLOAD_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The multipart uploads in progress for one bucket.
 *
 * @example
 * ```ts
 * const uploads = new MultipartUploads(store);
 * const id = await uploads.create('big.bin', { 'content-type': 'application/octet-stream' });
 * const etag = await uploads.uploadPart(id, 'big.bin', '1', req);
 * const entry = await uploads.complete(id, 'big.bin', [{ partNumber: 1, etag }], { origin });
 * ```
 */
export class MultipartUploads {
  private readonly store: ObjectStore;
  private readonly uploads = new Map<string, Upload>();

  constructor(store: ObjectStore) {
    this.store = store;
  }

  /** Starts an upload for `key` (checked now), returning its upload id. */
  async create(key: string, headers: Record<string, string>): Promise<string> {
    this.store.paths(key);
    const id = randomBytes(18).toString('base64url');
    const dir = path.join(this.store.uploadsDir(), id);
    await mkdir(dir, { recursive: true });
    this.uploads.set(id, { key, headers, dir, parts: new Map() });
    return id;
  }

  /** Stores part `partNumber` of upload `id` from the request body; returns its quoted ETag. */
  async uploadPart(
    id: string,
    key: string,
    partNumber: string | null,
    req: IncomingMessage,
  ): Promise<string> {
    const upload = this.get(id, key);
    const n = parsePartNumber(partNumber);
    const body = await receiveBody(req, tempPathFor(path.join(upload.dir, String(n))));
    if (this.uploads.get(id) !== upload) {
      await rm(body.file, { force: true });
      throw noSuchUpload(id);
    }
    const previous = upload.parts.get(n);
    upload.parts.set(n, { file: body.file, size: body.size, md5: body.md5 });
    if (previous) await rm(previous.file, { force: true });
    return `"${body.md5.toString('hex')}"`;
  }

  /**
   * Completes upload `id` with `parts` (ascending part numbers, matching ETags, every part but the last at least
   * 5 MiB): concatenates them and commits the object. The ETag is the MD5 of the parts' MD5s plus `-<count>`.
   */
  async complete(
    id: string,
    key: string,
    parts: CompletedPart[],
    options: WriteOptions,
  ): Promise<ObjectEntry> {
    const upload = this.get(id, key);
    if (parts.length === 0) throw malformed('The XML you provided did not list any parts.');
    const chosen: Part[] = [];
    let last = 0;
    for (const [i, { partNumber, etag }] of parts.entries()) {
      if (partNumber <= last) {
        throw new S3ServerError('InvalidPartOrder', 'The list of parts was not in ascending order.');
      }
      last = partNumber;
      const part = upload.parts.get(partNumber);
      if (!part || etag.replace(/^"|"$/g, '') !== part.md5.toString('hex')) {
        throw new S3ServerError('InvalidPart', 'One or more of the specified parts could not be found.', {
          PartNumber: String(partNumber),
        });
      }
      if (i < parts.length - 1 && part.size < MIN_PART_BYTES) {
        throw new S3ServerError(
          'EntityTooSmall',
          'Your proposed upload is smaller than the minimum allowed object size.',
        );
      }
      chosen.push(part);
    }
    const target = this.store.paths(upload.key);
    await this.store.ensureDir(target.dir);
    const file = tempPathFor(target.body);
    const etagHash = createHash('md5');
    let out: FileHandle | undefined;
    let size = 0;
    try {
      out = await open(file, 'wx');
      for (const part of chosen) {
        await out.write(await readFile(part.file));
        etagHash.update(part.md5);
        size += part.size;
      }
      const { mtimeMs } = await out.stat();
      await out.close();
      out = undefined;
      const etag = `"${etagHash.digest('hex')}-${chosen.length}"`;
      const entry = await this.store.commit(
        upload.key,
        { file, size, etag, mtimeMs },
        upload.headers,
        'CompleteMultipartUpload',
        options,
      );
      this.uploads.delete(id);
      await rm(upload.dir, { recursive: true, force: true });
      return entry;
    } catch (err) {
      await out?.close().catch(() => {});
      await rm(file, { force: true });
      throw err;
    }
  }

  /** Aborts upload `id` and removes its parts. */
  async abort(id: string, key: string): Promise<void> {
    const upload = this.get(id, key);
    this.uploads.delete(id);
    await rm(upload.dir, { recursive: true, force: true });
  }

  /** Forgets every upload (server shutdown; the files are removed at the next start). */
  clear(): void {
    this.uploads.clear();
  }

  /** Throws `404 NoSuchUpload` unless upload `id` of `key` is in progress. */
  assertUpload(id: string, key: string): void {
    this.get(id, key);
  }

  private get(id: string, key: string): Upload {
    const upload = UPLOAD_ID.test(id) ? this.uploads.get(id) : undefined;
    if (!upload || upload.key !== key) throw noSuchUpload(id);
    return upload;
  }
}

function parsePartNumber(text: string | null): number {
  const n = text !== null && /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= MAX_PART_NUMBER)) {
    throw invalidArgument(
      'partNumber',
      `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`,
    );
  }
  return n;
}

/**
 * Parses a CompleteMultipartUpload document; `400 MalformedXML` unless it is a list of
 * `<Part><PartNumber>n</PartNumber><ETag>…</ETag></Part>` inside `<CompleteMultipartUpload>`.
 *
 * @example
 * ```ts
 * parseCompleteMultipartUpload('<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>');
 * ```
 */
export function parseCompleteMultipartUpload(xml: string): CompletedPart[] {
  const root =
    /^\s*(?:<\?xml[^>]*\?>\s*)?<CompleteMultipartUpload(?:\s[^>]*)?>([\s\S]*)<\/CompleteMultipartUpload>\s*$/.exec(
      xml,
    );
  if (!root) throw malformed();
  const parts: CompletedPart[] = [];
  const rest = root[1]!.replace(/<Part>([\s\S]*?)<\/Part>/g, (_, inner: string) => {
    const number = /<PartNumber>\s*(\d{1,5})\s*<\/PartNumber>/.exec(inner);
    const etag = /<ETag>([^<]*)<\/ETag>/.exec(inner);
    if (!number || !etag) throw malformed();
    parts.push({ partNumber: Number(number[1]), etag: unescapeXml(etag[1]!.trim()) });
    return '';
  });
  if (rest.trim() !== '') throw malformed();
  return parts;
}

function unescapeXml(text: string): string {
  return text.replace(/&(quot|amp|lt|gt|apos|#34);/g, (_, e: string) =>
    e === 'quot' || e === '#34' ? '"' : e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : "'",
  );
}

function malformed(
  message = 'The XML you provided was not well-formed or did not validate against our published schema.',
): S3ServerError {
  return new S3ServerError('MalformedXML', message);
}
