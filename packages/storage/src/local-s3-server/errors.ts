import { GraftError } from '@graft/errors';

/**
 * Errors of the embedded S3 server. Each carries the S3 error `code`; the router turns any thrown
 * {@link S3ServerError} into S3's XML error response with the status S3 uses for that code.
 */

/**
 * An S3 protocol error: `code` is S3's error code (`NoSuchKey`, `InvalidArgument`, …), sent as `<Code>`; the server
 * answers it with the status S3 documents for that code ({@link S3_ERROR_STATUS}, applied where the response is
 * written).
 *
 * @example
 * ```ts
 * throw new S3ServerError('NoSuchKey', 'The specified key does not exist.', { Key: 'a/b' });
 * ```
 */
export class S3ServerError extends GraftError {
  override name = 'S3ServerError';
  declare readonly code: S3ErrorCode;
  /** Extra elements of the `<Error>` document (e.g. `Key`, `BucketName`, `ArgumentName`). */
  readonly detail: Readonly<Record<string, string>>;

  constructor(code: S3ErrorCode, message: string, detail: Record<string, string> = {}) {
    super(code, message);
    this.detail = detail;
  }
}

/**
 * The HTTP status S3 answers each of its error codes with (the ones this server uses).
 *
 * @example
 * ```ts
 * S3_ERROR_STATUS.NoSuchKey; // 404
 * ```
 */
export const S3_ERROR_STATUS = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IncompleteBody: 400,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidHostHeader: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  InvalidURI: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MaxMessageLengthExceeded: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NotImplemented: 501,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  XAmzContentSHA256Mismatch: 400,
} as const;

/** An S3 error code this server answers with. */
export type S3ErrorCode = keyof typeof S3_ERROR_STATUS;

/**
 * `404 NoSuchKey`.
 *
 * @example
 * ```ts
 * throw noSuchKey('missing.txt');
 * ```
 */
export function noSuchKey(key: string): S3ServerError {
  return new S3ServerError('NoSuchKey', 'The specified key does not exist.', { Key: key });
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
  return new S3ServerError('NoSuchBucket', 'The specified bucket does not exist', {
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
  return new S3ServerError('InvalidArgument', message, { ArgumentName: argument });
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
    `A header or query you provided implies functionality that is not implemented (${what}).`,
  );
}
