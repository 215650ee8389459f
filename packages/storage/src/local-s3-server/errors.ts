/**
 * Errors of the embedded S3 server. Each carries the S3 error `code` and HTTP `status` it is answered with,
 * so the router turns any thrown {@link S3ServerError} into S3's XML error response.
 */

/**
 * An S3 protocol error: `code` is S3's error code (`NoSuchKey`, `InvalidArgument`, …), `status` the HTTP status.
 *
 * @example
 * ```ts
 * throw new S3ServerError('NoSuchKey', 404, 'The specified key does not exist.', { Key: 'a/b' });
 * ```
 */
export class S3ServerError extends Error {
  override name = 'S3ServerError';
  /** S3's machine-readable error code, sent as `<Code>`. */
  readonly code: string;
  /** HTTP status of the error response. */
  readonly status: number;
  /** Extra elements of the `<Error>` document (e.g. `Key`, `BucketName`, `ArgumentName`). */
  readonly detail: Readonly<Record<string, string>>;

  constructor(code: string, status: number, message: string, detail: Record<string, string> = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.detail = detail;
  }
}

/**
 * `404 NoSuchKey`.
 *
 * @example
 * ```ts
 * throw noSuchKey('missing.txt');
 * ```
 */
export function noSuchKey(key: string): S3ServerError {
  return new S3ServerError('NoSuchKey', 404, 'The specified key does not exist.', { Key: key });
}

/**
 * `404 NoSuchBucket`.
 *
 * @example
 * ```ts
 * throw noSuchBucket('other');
 * ```
 */
export function noSuchBucket(bucket: string): S3ServerError {
  return new S3ServerError('NoSuchBucket', 404, 'The specified bucket does not exist', {
    BucketName: bucket,
  });
}

/**
 * `404 NoSuchUpload`.
 *
 * @example
 * ```ts
 * throw noSuchUpload('abc');
 * ```
 */
export function noSuchUpload(uploadId: string): S3ServerError {
  return new S3ServerError(
    'NoSuchUpload',
    404,
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: uploadId },
  );
}

/**
 * `400 InvalidArgument` naming the offending argument.
 *
 * @example
 * ```ts
 * throw invalidArgument('max-keys', 'Provided max-keys not an integer or within integer range');
 * ```
 */
export function invalidArgument(argument: string, message: string): S3ServerError {
  return new S3ServerError('InvalidArgument', 400, message, { ArgumentName: argument });
}

/**
 * `412 PreconditionFailed` (an `If-None-Match: *` write of a key that exists).
 *
 * @example
 * ```ts
 * throw preconditionFailed();
 * ```
 */
export function preconditionFailed(): S3ServerError {
  return new S3ServerError(
    'PreconditionFailed',
    412,
    'At least one of the pre-conditions you specified did not hold',
    { Condition: 'If-None-Match' },
  );
}

/**
 * `501 NotImplemented` for operations and subresources this server does not support.
 *
 * @example
 * ```ts
 * throw notImplemented('tagging');
 * ```
 */
export function notImplemented(what: string): S3ServerError {
  return new S3ServerError(
    'NotImplemented',
    501,
    `A header or query you provided implies functionality that is not implemented (${what}).`,
  );
}
