/** Dispatches a parsed request to its operation; refuses what this server does not implement. */
import { getBucketLocation, headBucket, listBuckets, listObjects } from './bucket-handlers.js';
import { noSuchBucket, notImplemented, S3ServerError } from './errors.js';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  uploadPart,
} from './multipart-handlers.js';
import { deleteObject, getObject, headObject, putObject } from './object-handlers.js';
import type { S3Request } from './request-context.js';

/** S3 subresources (query parameters that select another API) this server does not implement: 501. */
const UNSUPPORTED_SUBRESOURCES = new Set([
  'accelerate',
  'acl',
  'analytics',
  'attributes',
  'cors',
  'delete',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'logging',
  'metadataTable',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'renameObject',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'session',
  'tagging',
  'torrent',
  'versioning',
  'versionId',
  'versions',
  'website',
]);

/**
 * Runs the operation `request` asks for. Unknown subresources and unsupported operations are
 * `501 NotImplemented`, other buckets `404 NoSuchBucket`, other methods `405 MethodNotAllowed`.
 *
 * @example
 * ```ts
 * await route(request, createdAt);
 * ```
 */
export async function route(request: S3Request, createdAt: Date): Promise<void> {
  const { method, bucket, key, query, state } = request;
  for (const name of query.keys()) {
    if (UNSUPPORTED_SUBRESOURCES.has(name)) throw notImplemented(name);
  }
  if (bucket === '') {
    if (method === 'GET') return listBuckets(request, createdAt);
    throw methodNotAllowed(method);
  }
  if (bucket !== state.bucket) throw noSuchBucket(bucket);
  if (key === '') {
    if (query.has('uploads')) throw notImplemented('ListMultipartUploads');
    switch (method) {
      case 'GET':
        return query.has('location') ? getBucketLocation(request) : listObjects(request);
      case 'HEAD':
        return headBucket(request);
      case 'PUT':
        request.req.resume();
        return headBucket(request); // CreateBucket of the existing bucket: us-east-1 answers 200
      case 'DELETE':
      case 'POST':
        throw notImplemented(`${method} on a bucket`);
      default:
        throw methodNotAllowed(method);
    }
  }
  const uploadId = query.has('uploadId');
  switch (method) {
    case 'PUT':
      return uploadId ? uploadPart(request) : putObject(request);
    case 'GET':
      if (uploadId) throw notImplemented('ListParts');
      return getObject(request);
    case 'HEAD':
      if (query.has('partNumber')) throw notImplemented('partNumber');
      return headObject(request);
    case 'DELETE':
      return uploadId ? abortMultipartUpload(request) : deleteObject(request);
    case 'POST':
      if (query.has('uploads')) return createMultipartUpload(request);
      if (uploadId) return completeMultipartUpload(request);
      throw notImplemented('POST on an object');
    default:
      throw methodNotAllowed(method);
  }
}

function methodNotAllowed(method: string): S3ServerError {
  return new S3ServerError('MethodNotAllowed', 'The specified method is not allowed against this resource.', {
    Method: method,
  });
}
