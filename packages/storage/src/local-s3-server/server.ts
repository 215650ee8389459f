/**
 * The embedded S3 server: `node:http` on one address, one bucket stored under a directory (see
 * `disk-layout.ts`), object-created events for every committed write. Every request must name this server in
 * its `Host` header (DNS rebinding) and carry a valid Signature V4 by the server's credentials; every answer
 * says `X-Content-Type-Options: nosniff`; every malformed request gets an S3 error and the server keeps serving.
 */
import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { S3EventRecordJson } from '../s3-event.js';
import { S3ServerError } from './errors.js';
import { EventQueue, objectCreatedRecord } from './events.js';
import { MultipartUploads } from './multipart.js';
import { ObjectStore } from './object-store.js';
import type { BucketState, S3Request } from './request-context.js';
import { sendError } from './responses.js';
import { route } from './router.js';
import { type S3Credentials, verifySignature } from './sigv4.js';

/** Options of {@link startS3Server}. */
export interface S3ServerOptions {
  /** Data directory; the bucket lives in `<dir>/<bucket>`. */
  dir: string;
  bucket: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  region: string;
  /** The one key pair requests must be signed with. */
  credentials: S3Credentials;
  /** Called when an object-created listener throws or rejects. */
  onListenerError: (err: unknown, record: S3EventRecordJson) => void;
}

/** A running server. */
export interface RunningS3Server {
  /** The bound port. */
  port: number;
  events: EventQueue;
  /**
   * Also accepts requests whose `Host` is `host` (a loopback `address:port`, e.g. a proxy in front of this server
   * that forwards the client's signed Host). Returns a function that withdraws it.
   */
  allowHost(host: string): () => void;
  /** Stops accepting, closes every connection, delivers the queued events. */
  close(): Promise<void>;
}

/**
 * Indexes the bucket directory and starts serving.
 *
 * @example
 * ```ts
 * const server = await startS3Server({ dir, bucket: 'graft', host: '127.0.0.1', port: 0, region: 'us-east-1', credentials, onListenerError: console.error });
 * server.events.subscribe((record) => console.log(record.s3.object.key));
 * await server.close();
 * ```
 */
export async function startS3Server(options: S3ServerOptions): Promise<RunningS3Server> {
  const { bucket, host, region } = options;
  const events = new EventQueue(options.onListenerError);
  let hostId = '';
  const store = await ObjectStore.open(
    path.join(path.resolve(options.dir), bucket),
    (key, entry, kind, origin) => {
      events.emit(
        objectCreatedRecord(
          {
            bucket,
            key,
            size: entry.size,
            eTag: entry.etag.slice(1, -1),
            eventName: `ObjectCreated:${kind}`,
            sourceIp: origin.sourceIp,
            requestId: origin.requestId,
            hostId,
          },
          region,
        ),
      );
    },
  );
  const state: BucketState = { bucket, store, uploads: new MultipartUploads(store), region };
  const createdAt = new Date();
  const requestIdPrefix = createHash('md5')
    .update(`${process.pid}:${Date.now()}`)
    .digest('hex')
    .slice(0, 6)
    .toUpperCase();
  let requests = 0;
  const allowedHosts = new Set<string>();

  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    requests += 1;
    const requestId = requestIdPrefix + requests.toString(16).toUpperCase().padStart(10, '0');
    res.setHeader('x-amz-request-id', requestId);
    res.setHeader('x-amz-id-2', hostId);
    res.setHeader('x-content-type-options', 'nosniff');
    let request: S3Request;
    try {
      checkHost(req, allowedHosts);
      verifySignature(req, options.credentials, new Date());
      request = parseRequest(req, res, requestId, state);
    } catch (err) {
      sendError(req, res, err, requestId);
      return;
    }
    route(request, createdAt).catch((err: unknown) => sendError(req, res, err, requestId));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  hostId = createHash('sha256').update(`${host}:${port}`).digest('base64');
  const ownHost = host.includes(':') ? `[${host}]` : host;
  allowedHosts.add(`${ownHost}:${port}`);
  if (isLoopback(host)) allowedHosts.add(`localhost:${port}`);

  return {
    port,
    events,
    allowHost(extra: string) {
      const name = extra.toLowerCase();
      if (!LOOPBACK_HOST.test(name)) {
        throw new S3ServerError('InvalidArgument', `allowHost takes a loopback address:port, not ${extra}`);
      }
      allowedHosts.add(name);
      return () => allowedHosts.delete(name);
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      state.uploads.clear();
      await events.drain();
    },
  };
}

function parseRequest(
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  state: BucketState,
): S3Request {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  if (!pathname.startsWith('/')) throw invalidUri();
  const rest = pathname.slice(1);
  const slash = rest.indexOf('/');
  let bucket: string;
  let key: string;
  try {
    bucket = decodeURIComponent(slash === -1 ? rest : rest.slice(0, slash));
    key = slash === -1 ? '' : decodeURIComponent(rest.slice(slash + 1));
  } catch {
    throw invalidUri();
  }
  const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
  return { req, res, method: req.method ?? 'GET', bucket, key, query, requestId, state };
}

/** `127.x.y.z:port`, `[::1]:port` or `localhost:port`. */
const LOOPBACK_HOST = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost):\d{1,5}$/;

function isLoopback(host: string): boolean {
  return LOOPBACK_HOST.test(`${host.includes(':') ? `[${host}]` : host}:1`);
}

/** `400 InvalidHostHeader` unless the request names this server (a page on another name cannot reach it). */
function checkHost(req: IncomingMessage, allowed: ReadonlySet<string>): void {
  const host = req.headers.host?.toLowerCase();
  if (host === undefined || !allowed.has(host)) {
    throw new S3ServerError('InvalidHostHeader', 'The Host header does not name this server.', {
      Host: String(req.headers.host ?? ''),
    });
  }
}

function invalidUri(): S3ServerError {
  return new S3ServerError('InvalidURI', "Couldn't parse the specified URI.");
}
