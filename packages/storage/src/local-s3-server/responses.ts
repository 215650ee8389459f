/** Writing S3 responses: XML documents, errors, empty answers and the headers of an object. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { S3_ERROR_STATUS, S3ServerError } from './errors.js';
import type { ObjectEntry } from './object-metadata.js';
import { errorDocument } from './xml.js';

/** Request bodies up to this size are drained after an early error (keeping the connection); larger ones close it. */
const DRAIN_LIMIT = 1024 * 1024;

/**
 * Sends an XML document with `status` (default 200).
 *
 * @example
 * ```ts
 * sendXml(res, xmlDocument('CopyObjectResult', { ETag: entry.etag }));
 * ```
 */
export function sendXml(res: ServerResponse, body: string, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Sends an empty response with extra headers.
 *
 * @example
 * ```ts
 * sendEmpty(res, 200, { etag: entry.etag });
 * ```
 */
export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'content-length': 0 });
  res.end();
}

/**
 * Answers a failed request: an {@link S3ServerError} as S3's XML error document with its status, anything
 * else as `500 InternalError`. HEAD answers carry no body. An unread request body is drained (small) or the
 * connection closed (large), so a refused upload never stalls the server.
 *
 * @example
 * ```ts
 * handle(req, res).catch((err) => sendError(req, res, err, requestId));
 * ```
 */
export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  thrown: unknown,
  requestId: string,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const err = clientCollision(thrown) ?? thrown;
  const known = err instanceof S3ServerError;
  const status = known ? S3_ERROR_STATUS[err.code] : 500;
  const code = known ? err.code : 'InternalError';
  const message = known ? err.message : 'We encountered an internal error. Please try again.';
  if (!known) console.error('[local-s3] internal error:', err);
  if (!req.readableEnded) {
    const declared = Number(req.headers['content-length'] ?? Number.POSITIVE_INFINITY);
    if (declared <= DRAIN_LIMIT) req.resume();
    else res.setHeader('connection', 'close');
  }
  if (req.method === 'HEAD') {
    sendEmpty(res, status);
    return;
  }
  const body = errorDocument(code, message, known ? err.detail : {}, requestId);
  sendXml(res, body, status);
}

/** File system answers that mean the key's path collides with another object's files: the client's doing. */
const COLLISION_CODES = new Set(['ENOTDIR', 'EISDIR', 'ENAMETOOLONG']);

/**
 * `400 InvalidArgument` for a file system error caused by the key's shape (a path component that is a file, a
 * file name too long), so it is answered as the client's error and never logged with the server's paths.
 */
function clientCollision(err: unknown): S3ServerError | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (err instanceof S3ServerError || typeof code !== 'string' || !COLLISION_CODES.has(code))
    return undefined;
  return new S3ServerError(
    'InvalidArgument',
    'Invalid key: it collides with the stored files of another key.',
    {
      ArgumentName: 'key',
    },
  );
}

/**
 * The headers of a GET/HEAD answer for an object. A sandboxing `Content-Security-Policy` goes with every object,
 * so even one stored as HTML or SVG runs no script and loads nothing when opened from this server's address.
 *
 * @example
 * ```ts
 * res.writeHead(200, objectHeaders(entry, size));
 * ```
 */
export function objectHeaders(entry: ObjectEntry, contentLength: number): Record<string, string | number> {
  return {
    ...entry.headers,
    etag: entry.etag,
    'last-modified': new Date(entry.mtimeMs).toUTCString(),
    'content-length': contentLength,
    'accept-ranges': 'bytes',
    'content-security-policy': "default-src 'none'; sandbox",
  };
}
