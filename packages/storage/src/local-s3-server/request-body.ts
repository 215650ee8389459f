/** Receiving a request body into a temporary file while hashing it, with S3's size limits. */
import { createHash } from 'node:crypto';
import { type FileHandle, open, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { decodeAwsChunked, UNSIGNED_TRAILER } from './aws-chunked.js';
import { invalidArgument, notImplemented, S3ServerError } from './errors.js';
import { declaredPayloadSha256 } from './sigv4.js';

/** S3's largest single PUT (and part): 5 GiB. */
export const MAX_BODY_BYTES = 5 * 1024 ** 3;

/** Bytes gathered in memory before each write to the temporary file. */
const WRITE_BATCH = 1024 * 1024;

/** MD5 of a body, and its SHA-256 when the signature declared one (`x-amz-content-sha256`). */
class BodyHashes {
  readonly md5 = createHash('md5');
  readonly sha256;
  constructor(readonly declaredSha256: string | undefined) {
    this.sha256 = declaredSha256 ? createHash('sha256') : undefined;
  }
  update(chunk: Buffer): void {
    this.md5.update(chunk);
    this.sha256?.update(chunk);
  }
}

/**
 * Reads a body of at most `limit` bytes into memory, hashing it (`Content-Length`, `Content-MD5` and the signed
 * `x-amz-content-sha256` checked).
 *
 * @example
 * ```ts
 * const { bytes, md5 } = await readBody(req, 1024 * 1024);
 * ```
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<{ bytes: Buffer; md5: Buffer }> {
  const hash = new BodyHashes(declaredPayloadSha256(req.headers));
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payloadOf(req)) {
    size += chunk.length;
    if (size > limit)
      throw new S3ServerError('IncompleteBody', 'The body is longer than its Content-Length.');
    hash.update(chunk);
    chunks.push(chunk);
  }
  if (!req.complete) throw new S3ServerError('IncompleteBody', 'The request body ended early.');
  const md5 = checkFraming(req, size, hash);
  return { bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), md5 };
}

function checkFraming(req: IncomingMessage, size: number, hashes: BodyHashes): Buffer {
  const md5 = hashes.md5.digest();
  const declared = isAwsChunked(req.headers)
    ? req.headers['x-amz-decoded-content-length']
    : req.headers['content-length'];
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
  if (hashes.sha256 && hashes.sha256.digest('hex') !== hashes.declaredSha256) {
    throw new S3ServerError(
      'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  return md5;
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

function isAwsChunked(headers: IncomingMessage['headers']): boolean {
  return headers['x-amz-content-sha256'] === UNSIGNED_TRAILER;
}

/** The payload bytes of a request: its body, or the decoded `aws-chunked` body the SDK streams. */
function payloadOf(req: IncomingMessage): AsyncIterable<Buffer> {
  if (!isAwsChunked(req.headers)) return req as AsyncIterable<Buffer>;
  const trailer = req.headers['x-amz-trailer'];
  return decodeAwsChunked(req as AsyncIterable<Buffer>, typeof trailer === 'string' ? trailer : undefined);
}

/**
 * The payload length a request declares: `x-amz-decoded-content-length` for an `aws-chunked` body, else
 * `Content-Length` (NaN when neither is sent).
 *
 * @example
 * ```ts
 * if (declaredPayloadLength(req.headers) <= 1024 * 1024) await readBody(req, 1024 * 1024);
 * ```
 */
export function declaredPayloadLength(headers: IncomingMessage['headers']): number {
  const value = isAwsChunked(headers) ? headers['x-amz-decoded-content-length'] : headers['content-length'];
  return Number(value ?? Number.NaN);
}

/**
 * Checks the framing headers of an upload before reading it: a declared length over 5 GiB is
 * `400 EntityTooLarge`; an `aws-chunked` body must be the SDK's unsigned-trailer variant with its decoded
 * length declared (signed chunks, `STREAMING-AWS4-HMAC-SHA256-PAYLOAD…`, are `501 NotImplemented`).
 *
 * @example
 * ```ts
 * checkUploadHeaders(req.headers);
 * ```
 */
export function checkUploadHeaders(headers: IncomingMessage['headers']): void {
  const chunked = isAwsChunked(headers);
  const length = chunked ? headers['x-amz-decoded-content-length'] : headers['content-length'];
  if (chunked && typeof length !== 'string') {
    throw new S3ServerError(
      'MissingContentLength',
      'You must provide the x-amz-decoded-content-length header.',
    );
  }
  if (typeof length === 'string' && (!/^\d+$/.test(length) || Number(length) > MAX_BODY_BYTES)) {
    throw entityTooLarge(length);
  }
  const encoding = headers['content-encoding'] ?? '';
  const sha = headers['x-amz-content-sha256'] ?? '';
  if (
    !chunked &&
    (encoding.includes('aws-chunked') || (typeof sha === 'string' && sha.startsWith('STREAMING-')))
  ) {
    throw notImplemented('signed aws-chunked uploads');
  }
}

/**
 * Streams the request body into `file` (created exclusively), hashing it; checks `Content-MD5` and a signed
 * `x-amz-content-sha256` when sent.
 * On any failure the file is removed and the error rethrown.
 *
 * @example
 * ```ts
 * const body = await receiveBody(req, tempPathFor(paths.body));
 * ```
 */
export async function receiveBody(req: IncomingMessage, file: string): Promise<ReceivedBody> {
  const hash = new BodyHashes(declaredPayloadSha256(req.headers));
  let handle: FileHandle | undefined;
  let size = 0;
  try {
    handle = await open(file, 'wx');
    let batch: Buffer[] = [];
    let batched = 0;
    for await (const chunk of payloadOf(req)) {
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
    const md5 = checkFraming(req, size, hash);
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
