/** PutObject, CopyObject, GetObject, HeadObject and DeleteObject. */
import { checkKey, tempPathFor } from './disk-layout.js';
import { invalidArgument, noSuchBucket, preconditionFailed } from './errors.js';
import { type ObjectEntry, storedHeaders } from './object-metadata.js';
import { type ByteRange, parseRange } from './range.js';
import { checkUploadHeaders, declaredPayloadLength, readBody, receiveBody } from './request-body.js';
import { originOf, type S3Request } from './request-context.js';
import { objectHeaders, sendEmpty, sendXml } from './responses.js';
import { xmlDocument } from './xml.js';

/** Bodies up to this size are read in one call and sent with one write. */
const SMALL_BODY = 256 * 1024;

/** PUT bodies with a declared length up to this size are received in memory and written in one call. */
const IN_MEMORY_BODY = 1024 * 1024;

/** GET overrides S3 accepts as query parameters (`response-content-type=…`). */
const RESPONSE_OVERRIDES = [
  'content-type',
  'content-language',
  'expires',
  'cache-control',
  'content-disposition',
  'content-encoding',
];

function ifNoneMatchAll(request: S3Request): boolean {
  return request.req.headers['if-none-match'] === '*';
}

/**
 * PUT of an object: the body goes to a temporary file and is committed atomically; `If-None-Match: *` refuses
 * an existing key (412). With `x-amz-copy-source` it is a CopyObject instead.
 *
 * @example
 * ```ts
 * await putObject(request);
 * ```
 */
export async function putObject(request: S3Request): Promise<void> {
  const { req, res, key, state } = request;
  if (req.headers['x-amz-copy-source'] !== undefined) return copyObject(request);
  const paths = state.store.paths(key);
  checkUploadHeaders(req.headers);
  const ifNoneMatch = ifNoneMatchAll(request);
  if (ifNoneMatch && state.store.index.has(key)) throw preconditionFailed();
  const headers = storedHeaders(req.headers);
  const options = { ifNoneMatch, origin: originOf(request) };
  const declared = declaredPayloadLength(req.headers);
  let entry: ObjectEntry;
  if (declared <= IN_MEMORY_BODY) {
    const { bytes, md5 } = await readBody(req, declared);
    entry = await state.store.commitBytes(key, bytes, md5.toString('hex'), headers, 'Put', options);
  } else {
    await state.store.ensureDir(paths.dir);
    const body = await receiveBody(req, tempPathFor(paths.body));
    const etag = `"${body.md5.toString('hex')}"`;
    entry = await state.store.commit(
      key,
      { file: body.file, size: body.size, etag, mtimeMs: body.mtimeMs },
      headers,
      'Put',
      options,
    );
  }
  sendEmpty(res, 200, { etag: entry.etag });
}

/**
 * CopyObject (`x-amz-copy-source: <bucket>/<url-encoded key>`), within this server's bucket.
 * `x-amz-metadata-directive: REPLACE` stores the request's headers instead of the source's.
 *
 * @example
 * ```ts
 * await copyObject(request);
 * ```
 */
export async function copyObject(request: S3Request): Promise<void> {
  const { req, res, key, state } = request;
  const raw = String(req.headers['x-amz-copy-source']);
  let source: string;
  try {
    source = decodeURIComponent(raw.split('?')[0]!.replace(/^\//, ''));
  } catch {
    throw invalidArgument(
      'x-amz-copy-source',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
    );
  }
  const slash = source.indexOf('/');
  if (slash <= 0) {
    throw invalidArgument(
      'x-amz-copy-source',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
    );
  }
  const sourceBucket = source.slice(0, slash);
  const sourceKey = source.slice(slash + 1);
  checkKey(sourceKey);
  if (sourceBucket !== state.bucket) throw noSuchBucket(sourceBucket);
  state.store.paths(key);
  const directive = req.headers['x-amz-metadata-directive'];
  if (directive !== undefined && directive !== 'COPY' && directive !== 'REPLACE') {
    throw invalidArgument('x-amz-metadata-directive', 'Unknown metadata directive.');
  }
  const ifNoneMatch = ifNoneMatchAll(request);
  if (ifNoneMatch && state.store.index.has(key)) throw preconditionFailed();
  req.resume();
  const headers = directive === 'REPLACE' ? storedHeaders(req.headers) : undefined;
  const entry = await state.store.copy(sourceKey, key, headers, { ifNoneMatch, origin: originOf(request) });
  sendXml(
    res,
    xmlDocument('CopyObjectResult', {
      LastModified: new Date(entry.mtimeMs).toISOString(),
      ETag: entry.etag,
    }),
  );
}

/**
 * GetObject, with one `Range` (206 + `Content-Range`) and `response-*` header overrides. The open file pins
 * one version: a concurrent overwrite never cuts the answer short.
 *
 * @example
 * ```ts
 * await getObject(request);
 * ```
 */
export async function getObject(request: S3Request): Promise<void> {
  const { req, res, key, query, state } = request;
  const small = await state.store.readSmall(key, SMALL_BODY);
  if (small) {
    const size = small.bytes.length;
    const range = parseRange(req.headers.range, size);
    const body = range ? small.bytes.subarray(range.start, range.end + 1) : small.bytes;
    res.writeHead(range ? 206 : 200, responseHeaders(small.entry, body.length, query, range, size));
    res.end(body);
    return;
  }
  const { handle, entry, size } = await state.store.openObject(key);
  let closed = false;
  try {
    const range = parseRange(req.headers.range, size);
    const start = range?.start ?? 0;
    const end = range ? range.end : size - 1;
    const length = Math.max(0, end - start + 1);
    const headers = responseHeaders(entry, length, query, range, size);
    const status = range ? 206 : 200;
    res.writeHead(status, headers);
    const stream = handle.createReadStream({ start, end, autoClose: true });
    closed = true;
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  } finally {
    if (!closed) await handle.close();
  }
}

/**
 * Media types a browser runs or renders as a document (scripts, markup, styles): a `response-content-type`
 * override may not turn a stored object into one of them.
 */
const ACTIVE_TYPE = /(html|xml|svg|javascript|ecmascript|jscript|livescript|css|xsl|x-mixed-replace)/;

function responseHeaders(
  entry: ObjectEntry,
  length: number,
  query: URLSearchParams,
  range: ByteRange | undefined,
  size: number,
): Record<string, string | number> {
  const headers = objectHeaders(entry, length);
  for (const name of RESPONSE_OVERRIDES) {
    const value = query.get(`response-${name}`);
    if (value === null) continue;
    if (name === 'content-type' && ACTIVE_TYPE.test(value.toLowerCase())) {
      throw invalidArgument(
        'response-content-type',
        'This server does not serve objects as an active content type (HTML, XML, SVG, script, style) unless they were stored so.',
      );
    }
    headers[name] = value;
  }
  if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
  return headers;
}

/**
 * HeadObject: the object's headers from the index, no file access once its entry is loaded.
 *
 * @example
 * ```ts
 * await headObject(request);
 * ```
 */
export async function headObject(request: S3Request): Promise<void> {
  const entry = await request.state.store.head(request.key);
  request.res.writeHead(200, objectHeaders(entry, entry.size));
  request.res.end();
}

/**
 * DeleteObject: 204 whether or not the key existed (S3's answer).
 *
 * @example
 * ```ts
 * await deleteObject(request);
 * ```
 */
export async function deleteObject(request: S3Request): Promise<void> {
  await request.state.store.delete(request.key);
  sendEmpty(request.res, 204);
}
