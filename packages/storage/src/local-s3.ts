import type { S3Client } from '@aws-sdk/client-s3';
import { InvalidArgumentError } from './errors.js';
import type { S3rverRawRecord } from './local-s3-events.js';
import type { ObjectCreatedEventName, S3EventRecordJson } from './s3-event.js';

/** Options of {@link startLocalS3}. */
export interface LocalS3Options {
  /** Directory holding the bucket data (created if missing). */
  dir: string;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Bucket to create (S3 bucket naming rules). */
  bucket: string;
  /** Address to bind; default `127.0.0.1`. */
  host?: string;
  /** Suppress s3rver's request log (default true). */
  silent?: boolean;
  /** Region reported in events and used by the client (default `us-east-1`). */
  region?: string;
  /** Called when an `onObjectCreated` listener throws or rejects (default: `console.error`). */
  onListenerError?: (err: unknown, record: S3EventRecordJson) => void;
}

/** A running local S3 server (see {@link startLocalS3}). */
export interface LocalS3 {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  bucket: string;
  port: number;
  /** An S3 client for this server (path style, region us-east-1, s3rver's dummy credentials). */
  client: S3Client;
  /** Calls `listener` with each object-created record, shaped exactly as AWS S3 sends it. Returns an unsubscribe function. */
  onObjectCreated(listener: (event: S3EventRecordJson) => void | Promise<void>): () => void;
  /** Resolves once every event emitted so far has been handed to the listeners. */
  drainEvents(): Promise<void>;
  /** Stops the server and destroys the client. Idempotent. */
  close(): Promise<void>;
}

const BUCKET_NAME = /^(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const UPLOAD_ID = /^[A-Za-z0-9_-]{1,128}$/;

interface RequestInfo {
  eventName?: ObjectCreatedEventName;
}

/**
 * Starts an embedded S3 server (`s3rver`) on 127.0.0.1 with data under `dir`, creates `bucket`,
 * and returns a ready client. On top of s3rver it: refuses keys/buckets/upload ids that would
 * resolve outside `dir`; lists in S3's byte order with correct pagination; enforces
 * `If-None-Match: *` on PUT, copy and CompleteMultipartUpload (atomically per key within this
 * process; s3rver ignores the header); and normalises object-created events to AWS's exact JSON.
 * Node-only: its Node modules are imported lazily so `@graft/storage` stays importable at the edge.
 *
 * @example
 * ```ts
 * const s3 = await startLocalS3({ dir: '.graft/s3', bucket: 'graft' });
 * s3.onObjectCreated((record) => console.log(decodeS3EventKey(record.s3.object.key)));
 * const store = new S3BlobStore(s3.client, s3.bucket);
 * await store.put('hello.txt', 'hi');
 * await s3.close();
 * ```
 */
export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const { dir, port = 0, bucket, host = '127.0.0.1', silent = true, region = 'us-east-1' } = options;
  if (!dir) throw new InvalidArgumentError('startLocalS3 needs a data directory (dir)');
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw new InvalidArgumentError(`Invalid bucket name ${JSON.stringify(bucket)}`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError(`Invalid port ${port}`);

  const [
    { default: S3rver },
    http,
    { AsyncLocalStorage },
    { createRequire },
    fs,
    sdk,
    hardening,
    events,
    listPatch,
    seq,
  ] = await Promise.all([
    import('s3rver'),
    import('node:http'),
    import('node:async_hooks'),
    import('node:module'),
    import('node:fs/promises'),
    import('@aws-sdk/client-s3'),
    import('./local-s3-hardening.js'),
    import('./local-s3-events.js'),
    import('./local-s3-list-patch.js'),
    import('./s3-event.js'),
  ]);
  await fs.mkdir(dir, { recursive: true });
  const require = createRequire(import.meta.url);
  const models = {
    S3Error: require('s3rver/lib/models/error'),
    S3Object: require('s3rver/lib/models/object'),
  };

  const s3rver = new S3rver({
    directory: dir,
    silent,
    address: host,
    port,
    vhostBuckets: false,
    configureBuckets: [{ name: bucket }],
  });
  const store = s3rver.store as import('./local-s3-hardening.js').S3rverStore;
  hardening.hardenS3rverStore(store, dir, models, listPatch.listState);
  listPatch.patchListObjectsV2(require('s3rver/lib/controllers/bucket'), models.S3Error);
  await s3rver.configureBuckets();

  const context = new AsyncLocalStorage<RequestInfo>();
  const koa = s3rver.callback();
  const locks = new Map<string, Promise<void>>();
  const listeners = new Set<(event: S3EventRecordJson) => void | Promise<void>>();
  const reportError =
    options.onListenerError ??
    ((err: unknown, record: S3EventRecordJson) =>
      console.error(`[local-s3] listener failed for ${record.s3.object.key}:`, err));
  let queue: Promise<void> = Promise.resolve();

  s3rver.on('event', (event: { Records: S3rverRawRecord[] }) => {
    const info = context.getStore();
    for (const raw of event.Records) {
      if (!raw.eventName.startsWith('ObjectCreated:')) continue;
      const sequencer = seq.nextSequencer();
      const eTag = raw.s3.object.eTag
        ? Promise.resolve(undefined)
        : store
            .getMetadata(raw.s3.bucket.name, raw.s3.object.key)
            .then((m) => String(JSON.parse(m.etag ?? '""')))
            .catch(() => undefined);
      queue = queue.then(async () => {
        const record = events.normaliseS3rverRecord(raw, {
          eventName: info?.eventName,
          eTag: await eTag,
          region,
          sequencer,
        });
        for (const listener of listeners) {
          try {
            await Promise.resolve(listener(record)).catch((err) => reportError(err, record));
          } catch (err) {
            reportError(err, record);
          }
        }
      });
    }
  });

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) sendError(res, 500, 'InternalError', String(err));
      else res.destroy();
    });
  });

  async function handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://local');
    const uploadId = url.searchParams.get('uploadId');
    if (uploadId !== null && !UPLOAD_ID.test(uploadId)) {
      req.resume();
      return sendError(res, 400, 'NoSuchUpload', 'The specified upload does not exist.');
    }
    const target = parseTarget(url.pathname);
    const info: RequestInfo = { eventName: eventNameOf(req.method, url, req.headers, target) };
    if (info.eventName && target?.key && req.headers['if-none-match'] === '*') {
      const lockKey = `${target.bucket}/${target.key}`;
      const previous = locks.get(lockKey) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => {
        release = resolve;
      });
      const chained = previous.then(() => mine);
      locks.set(lockKey, chained);
      res.once('close', () => {
        release();
        if (locks.get(lockKey) === chained) locks.delete(lockKey);
      });
      await previous;
      let exists = false;
      try {
        exists = await store.existsObject(target.bucket, target.key);
      } catch {
        // invalid keys are rejected by s3rver's (hardened) handlers below
      }
      if (exists) {
        req.resume();
        return sendError(
          res,
          412,
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
        );
      }
    }
    await context.run(info, () => koa(req, res));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  const client = new sdk.S3Client({
    endpoint,
    forcePathStyle: true,
    region,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // s3rver neither understands aws-chunked uploads nor returns CRC checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  let closed: Promise<void> | undefined;
  return {
    endpoint,
    bucket,
    port: boundPort,
    client,
    onObjectCreated(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    drainEvents: async () => {
      let seen: Promise<void>;
      do {
        seen = queue;
        await seen;
      } while (seen !== queue);
    },
    close() {
      closed ??= (async () => {
        client.destroy();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await queue;
        s3rver.logger.exceptions.unhandle();
        s3rver.logger.close();
      })();
      return closed;
    },
  };
}

function parseTarget(pathname: string): { bucket: string; key: string } | undefined {
  const match = /^\/([^/]+)\/(.+)$/.exec(pathname);
  if (!match) return undefined;
  try {
    return { bucket: decodeURIComponent(match[1]!), key: decodeURIComponent(match[2]!) };
  } catch {
    return undefined;
  }
}

function eventNameOf(
  method: string | undefined,
  url: URL,
  headers: import('node:http').IncomingHttpHeaders,
  target: { bucket: string; key: string } | undefined,
): ObjectCreatedEventName | undefined {
  if (method === 'POST') {
    if (target && url.searchParams.has('uploadId')) return 'ObjectCreated:CompleteMultipartUpload';
    if (!target) return 'ObjectCreated:Post';
    return undefined;
  }
  const subresource = ['partNumber', 'uploadId', 'tagging', 'acl', 'retention', 'legal-hold'].some((p) =>
    url.searchParams.has(p),
  );
  if (method === 'PUT' && target && !subresource) {
    return headers['x-amz-copy-source'] ? 'ObjectCreated:Copy' : 'ObjectCreated:Put';
  }
  return undefined;
}

function sendError(res: import('node:http').ServerResponse, status: number, code: string, message: string) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
