/** What every handler gets: the parsed request and the bucket's server state. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MultipartUploads } from './multipart.js';
import type { CommitOrigin, ObjectStore } from './object-store.js';

/** The state of a running server for its one bucket. */
export interface BucketState {
  bucket: string;
  store: ObjectStore;
  uploads: MultipartUploads;
  region: string;
}

/** One parsed request (path style: `/<bucket>/<key>`). */
export interface S3Request {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Decoded bucket name (`''` for the service root). */
  bucket: string;
  /** Decoded object key (`''` for bucket requests). */
  key: string;
  query: URLSearchParams;
  requestId: string;
  state: BucketState;
}

/**
 * Who made the request, as its object-created event reports it.
 *
 * @example
 * ```ts
 * await store.commit(key, staged, headers, 'Put', { origin: originOf(request) });
 * ```
 */
export function originOf(request: S3Request): CommitOrigin {
  return { sourceIp: request.req.socket.remoteAddress ?? '127.0.0.1', requestId: request.requestId };
}
