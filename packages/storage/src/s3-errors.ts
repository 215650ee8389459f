import { NotFoundError, PreconditionFailedError, StorageError, TransientStorageError } from './errors.js';

/** The fields of an AWS SDK v3 service or network error that the mapping looks at. */
interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);
const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'ThrottlingException',
  'ConditionalRequestConflict',
]);

/**
 * Maps an error thrown by the AWS SDK S3 client to Graft's typed storage errors:
 * 404/NoSuchKey → {@link NotFoundError}, 412 → {@link PreconditionFailedError}, 5xx, throttling,
 * 409 ConditionalRequestConflict and network failures → {@link TransientStorageError}, anything
 * else → {@link StorageError} with code `storage_error` (the SDK error is kept as `cause`).
 *
 * @example
 * ```ts
 * try { await client.send(cmd); } catch (err) { throw mapS3Error(err, key); }
 * ```
 */
export function mapS3Error(err: unknown, key: string): StorageError {
  if (err instanceof StorageError) return err;
  const e = (err ?? {}) as SdkErrorLike;
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? '';
  const detail = `${name || 'Error'}: ${e.message ?? String(err)}`;
  if (name === 'NoSuchKey' || name === 'NotFound' || (status === 404 && name !== 'NoSuchBucket')) {
    return new NotFoundError(key, `Not found: ${key}`, { cause: err });
  }
  if (status === 412 || name === 'PreconditionFailed') {
    return new PreconditionFailedError(key, undefined, { cause: err });
  }
  const transient =
    (status !== undefined && status >= 500) ||
    status === 429 ||
    TRANSIENT_NAMES.has(name) ||
    (e.code !== undefined && NETWORK_CODES.has(e.code)) ||
    NETWORK_CODES.has(name) ||
    (status === undefined && e.$fault === undefined && isNetworkish(err));
  if (transient)
    return new TransientStorageError(`Storage unavailable for ${key} (${detail})`, { cause: err });
  return new StorageError('storage_error', `Storage request for ${key} failed (${detail})`, { cause: err });
}

/** Errors raised below the HTTP layer (sockets, DNS) carry a system `code` on themselves or their cause. */
function isNetworkish(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return err instanceof TypeError && /fetch failed|socket|network/i.test(err.message);
}
