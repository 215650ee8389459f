/** The HTTP side of multipart uploads. */
import { S3ServerError } from './errors.js';
import { parseCompleteMultipartUpload } from './multipart.js';
import { storedHeaders } from './object-metadata.js';
import { checkUploadHeaders } from './request-body.js';
import { originOf, type S3Request } from './request-context.js';
import { sendEmpty, sendXml } from './responses.js';
import { xmlDocument } from './xml.js';

/** Largest CompleteMultipartUpload document accepted (10,000 parts fit easily). */
const MAX_COMPLETE_XML = 2 * 1024 * 1024;

/**
 * `POST /<bucket>/<key>?uploads`: CreateMultipartUpload (stores the request's content type and metadata).
 *
 * @example
 * ```ts
 * await createMultipartUpload(request);
 * ```
 */
export async function createMultipartUpload(request: S3Request): Promise<void> {
  const { req, res, key, state } = request;
  req.resume();
  const uploadId = await state.uploads.create(key, storedHeaders(req.headers));
  sendXml(
    res,
    xmlDocument('InitiateMultipartUploadResult', { Bucket: state.bucket, Key: key, UploadId: uploadId }),
  );
}

/**
 * `PUT /<bucket>/<key>?partNumber=n&uploadId=id`: UploadPart.
 *
 * @example
 * ```ts
 * await uploadPart(request);
 * ```
 */
export async function uploadPart(request: S3Request): Promise<void> {
  const { req, res, key, query, state } = request;
  if (req.headers['x-amz-copy-source'] !== undefined) {
    throw new S3ServerError('NotImplemented', 'UploadPartCopy is not implemented.');
  }
  checkUploadHeaders(req.headers);
  const etag = await state.uploads.uploadPart(query.get('uploadId')!, key, query.get('partNumber'), req);
  sendEmpty(res, 200, { etag });
}

/**
 * `POST /<bucket>/<key>?uploadId=id`: CompleteMultipartUpload (`If-None-Match: *` honoured).
 *
 * @example
 * ```ts
 * await completeMultipartUpload(request);
 * ```
 */
export async function completeMultipartUpload(request: S3Request): Promise<void> {
  const { req, res, key, query, state } = request;
  state.uploads.assertUpload(query.get('uploadId')!, key);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_COMPLETE_XML) {
      throw new S3ServerError('MaxMessageLengthExceeded', 'Your request was too big.');
    }
    chunks.push(chunk);
  }
  const parts = parseCompleteMultipartUpload(Buffer.concat(chunks).toString('utf8'));
  const entry = await state.uploads.complete(query.get('uploadId')!, key, parts, {
    ifNoneMatch: req.headers['if-none-match'] === '*',
    origin: originOf(request),
  });
  sendXml(
    res,
    xmlDocument('CompleteMultipartUploadResult', {
      Location: `http://${req.headers.host ?? '127.0.0.1'}/${state.bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
      Bucket: state.bucket,
      Key: key,
      ETag: entry.etag,
    }),
  );
}

/**
 * `DELETE /<bucket>/<key>?uploadId=id`: AbortMultipartUpload (204).
 *
 * @example
 * ```ts
 * await abortMultipartUpload(request);
 * ```
 */
export async function abortMultipartUpload(request: S3Request): Promise<void> {
  await request.state.uploads.abort(request.query.get('uploadId')!, request.key);
  sendEmpty(request.res, 204);
}
