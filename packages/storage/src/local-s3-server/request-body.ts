/** Receiving a request body into a temporary file while hashing it, with S3's size limits. */
import { createHash } from 'node:crypto';
import { type FileHandle, open, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { invalidArgument, notImplemented, S3ServerError } from './errors.js';

/** S3's largest single PUT (and part): 5 GiB. */
export const MAX_BODY_BYTES = 5 * 1024 ** 3;

/** Bytes gathered in memory before each write to the temporary file. */
const WRITE_BATCH = 1024 * 1024;

/**
 * Reads a body of at most `limit` bytes into memory, hashing it (`Content-Length` and `Content-MD5` checked).
 *
 * @example
 * ```ts
 * const { bytes, md5 } = await readBody(req, 1024 * 1024);
 * ```
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<{ bytes: Buffer; md5: Buffer }> {
  const hash = createHash('md5');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit)
      throw new S3ServerError('IncompleteBody', 'The body is longer than its Content-Length.');
    hash.update(chunk);
    chunks.push(chunk);
  }
  if (!req.complete) throw new S3ServerError('IncompleteBody', 'The request body ended early.');
  const md5 = hash.digest();
  checkFraming(req, size, md5);
  return { bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), md5 };
}

function checkFraming(req: IncomingMessage, size: number, md5: Buffer): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) !== size) {
    throw new S3ServerError(
      'IncompleteBody',
      'You did not provide the number of bytes specified by the Content-Length HTTP header.',
    );
  }
  const contentMd5 = req.headers['content-md5'];
  if (typeof contentMd5 === 'string' && contentMd5 !== md5.toString('base64')) {
    throw new S3ServerError('BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
}

/** A body written to a temporary file. */
export interface ReceivedBody {
  /** The temporary file (the caller renames or removes it). */
  file: string;
  size: number;
  /** MD5 of the body (raw bytes). */
  md5: Buffer;
  /** Modification time of the written file. */
  mtimeMs: number;
}

/**
 * Checks the framing headers of an upload before reading it: a declared length over 5 GiB is
 * `400 EntityTooLarge`; SigV4 streaming (`aws-chunked`) is `501 NotImplemented`.
 *
 * @example
 * ```ts
 * checkUploadHeaders(req.headers);
 * ```
 */
export function checkUploadHeaders(headers: IncomingMessage['headers']): void {
  const length = headers['content-length'];
  if (length !== undefined && (!/^\d+$/.test(length) || Number(length) > MAX_BODY_BYTES)) {
    throw entityTooLarge(length);
  }
  const encoding = headers['content-encoding'] ?? '';
  const sha = headers['x-amz-content-sha256'] ?? '';
  if (encoding.includes('aws-chunked') || (typeof sha === 'string' && sha.startsWith('STREAMING-'))) {
    throw notImplemented('aws-chunked uploads');
  }
}

/**
 * Streams the request body into `file` (created exclusively), hashing it; checks `Content-MD5` when sent.
 * On any failure the file is removed and the error rethrown.
 *
 * @example
 * ```ts
 * const body = await receiveBody(req, tempPathFor(paths.body));
 * ```
 */
export async function receiveBody(req: IncomingMessage, file: string): Promise<ReceivedBody> {
  const hash = createHash('md5');
  let handle: FileHandle | undefined;
  let size = 0;
  try {
    handle = await open(file, 'wx');
    let batch: Buffer[] = [];
    let batched = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw entityTooLarge(String(size));
      hash.update(chunk);
      batch.push(chunk);
      batched += chunk.length;
      if (batched >= WRITE_BATCH) {
        await handle.write(batch.length === 1 ? batch[0]! : Buffer.concat(batch, batched));
        batch = [];
        batched = 0;
      }
    }
    if (!req.complete) throw new S3ServerError('IncompleteBody', 'The request body ended early.');
    if (batched > 0) await handle.write(batch.length === 1 ? batch[0]! : Buffer.concat(batch, batched));
    const md5 = hash.digest();
    checkFraming(req, size, md5);
    const { mtimeMs } = await handle.stat();
    await handle.close();
    handle = undefined;
    return { file, size, md5, mtimeMs };
  } catch (err) {
    await handle?.close().catch(() => {});
    await rm(file, { force: true });
    throw err;
  }
}

function entityTooLarge(size: string): S3ServerError {
  if (!/^\d+$/.test(size)) return invalidArgument('Content-Length', 'Invalid Content-Length');
  return new S3ServerError(
    'EntityTooLarge',
    'Your proposed upload exceeds the maximum allowed object size.',
    {
      ProposedSize: size,
      MaxSizeAllowed: String(MAX_BODY_BYTES),
    },
  );
}
