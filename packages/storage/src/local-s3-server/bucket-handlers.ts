/** ListObjectsV2, ListObjects (V1), HeadBucket, GetBucketLocation and ListBuckets. */
import {
  decodeContinuationToken,
  encodeContinuationToken,
  type ListPage,
  listPage,
  parseMaxKeys,
} from './listing.js';
import type { S3Request } from './request-context.js';
import { sendEmpty, sendXml } from './responses.js';
import { type XmlElements, xmlDocument } from './xml.js';

/**
 * `GET /<bucket>?list-type=2` (ListObjectsV2) or `GET /<bucket>` (ListObjects V1).
 *
 * @example
 * ```ts
 * await listObjects(request);
 * ```
 */
export async function listObjects(request: S3Request): Promise<void> {
  const { query, state } = request;
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const maxKeys = parseMaxKeys(query.get('max-keys'));
  const encode = query.get('encoding-type') === 'url' ? encodeKey : (text: string) => text;
  if (query.get('list-type') === '2') {
    const token = query.get('continuation-token') || undefined;
    const startAfter = query.get('start-after') ?? '';
    const resume = token
      ? decodeContinuationToken(token, state.bucket)
      : { after: startAfter, afterPrefix: false };
    const page = await listPage(state.store.index, { prefix, delimiter, maxKeys, ...resume });
    sendXml(
      request.res,
      xmlDocument('ListBucketResult', {
        Name: state.bucket,
        Prefix: encode(prefix),
        Delimiter: delimiter ? encode(delimiter) : undefined,
        MaxKeys: maxKeys,
        EncodingType: query.get('encoding-type') === 'url' ? 'url' : undefined,
        KeyCount: page.contents.length + page.commonPrefixes.length,
        IsTruncated: page.isTruncated,
        ContinuationToken: token,
        NextContinuationToken:
          page.isTruncated && page.last ? encodeContinuationToken(state.bucket, page.last) : undefined,
        StartAfter: token || !startAfter ? undefined : encode(startAfter),
        ...pageElements(page, encode),
      }),
    );
    return;
  }
  const marker = query.get('marker') ?? '';
  const afterPrefix = delimiter !== '' && marker.endsWith(delimiter) && marker.startsWith(prefix);
  const page = await listPage(state.store.index, { prefix, delimiter, maxKeys, after: marker, afterPrefix });
  sendXml(
    request.res,
    xmlDocument('ListBucketResult', {
      Name: state.bucket,
      Prefix: encode(prefix),
      Marker: encode(marker),
      MaxKeys: maxKeys,
      Delimiter: delimiter ? encode(delimiter) : undefined,
      EncodingType: query.get('encoding-type') === 'url' ? 'url' : undefined,
      IsTruncated: page.isTruncated,
      NextMarker: page.isTruncated && page.last ? encode(page.last.value) : undefined,
      ...pageElements(page, encode),
    }),
  );
}

function pageElements(page: ListPage, encode: (text: string) => string): XmlElements {
  return {
    Contents: page.contents.map(({ key, entry }) => ({
      Key: encode(key),
      LastModified: new Date(entry.mtimeMs).toISOString(),
      ETag: entry.etag,
      Size: entry.size,
      StorageClass: 'STANDARD',
    })),
    CommonPrefixes: page.commonPrefixes.map((prefix) => ({ Prefix: encode(prefix) })),
  };
}

/** S3's `encoding-type=url` form of a key (`/` kept, space as `+`). */
function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

/**
 * `HEAD /<bucket>`: 200 (the bucket exists; others are refused by the router).
 *
 * @example
 * ```ts
 * headBucket(request);
 * ```
 */
export function headBucket(request: S3Request): void {
  sendEmpty(request.res, 200, { 'x-amz-bucket-region': request.state.region });
}

/**
 * `GET /<bucket>?location`: GetBucketLocation (`us-east-1` is reported as the empty constraint, as S3 does).
 *
 * @example
 * ```ts
 * getBucketLocation(request);
 * ```
 */
export function getBucketLocation(request: S3Request): void {
  const region = request.state.region === 'us-east-1' ? '' : request.state.region;
  sendXml(
    request.res,
    `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${region}</LocationConstraint>`,
  );
}

/**
 * `GET /`: ListBuckets (the one bucket of this server).
 *
 * @example
 * ```ts
 * listBuckets(request, createdAt);
 * ```
 */
export function listBuckets(request: S3Request, createdAt: Date): void {
  sendXml(
    request.res,
    xmlDocument('ListAllMyBucketsResult', {
      Owner: { ID: 'graft-local', DisplayName: 'graft-local' },
      Buckets: { Bucket: { Name: request.state.bucket, CreationDate: createdAt.toISOString() } },
    }),
  );
}
