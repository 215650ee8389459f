import type { S3Client } from '@aws-sdk/client-s3';
import { InvalidArgumentError } from './errors.js';
import type { S3EventRecordJson } from './s3-event.js';

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
  /** Kept for compatibility: the server never logs requests. */
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
  /** An S3 client for this server (path style, region us-east-1, signing with {@link LocalS3.credentials}). */
  client: S3Client;
  /**
   * The key pair every request must be signed with: generated at the first start in `dir` and kept in
   * `<dir>/.graft-s3-credentials.json` (mode 0600; `dir` is made 0700).
   */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /**
   * Also accepts `Host: <host>` (a loopback `address:port`), for a proxy that forwards the Host its client
   * signed. Returns a function that withdraws it.
   */
  allowHost(host: string): () => void;
  /** Calls `listener` with each object-created record, shaped exactly as AWS S3 sends it. Returns an unsubscribe function. */
  onObjectCreated(listener: (event: S3EventRecordJson) => void | Promise<void>): () => void;
  /** Resolves once every event emitted so far has been handed to the listeners. */
  drainEvents(): Promise<void>;
  /** Stops the server and destroys the client. Idempotent. */
  close(): Promise<void>;
}

const BUCKET_NAME = /^(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Starts the embedded S3 server (`./local-s3-server/`, on `node:http`) on 127.0.0.1 with data under `dir`
 * (bucket `bucket` in `<dir>/<bucket>`, s3rver's file layout, so data of earlier versions is kept), and
 * returns a ready client. Every request must be signed (AWS Signature V4, header or presigned form) with the
 * data folder's own key pair ({@link LocalS3.credentials}: 403 otherwise) and name the server's own address in
 * its `Host` (400 otherwise). It refuses keys that would resolve outside `dir` or use its file names (400); lists in S3's byte order
 * with correct pagination from an in-memory index; enforces `If-None-Match: *` on PUT, copy and
 * CompleteMultipartUpload (atomically per key); writes atomically (temporary file, then rename); and emits
 * object-created events in AWS's exact JSON once the object is in place.
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
  const { dir, port = 0, bucket, host = '127.0.0.1', region = 'us-east-1' } = options;
  if (!dir) throw new InvalidArgumentError('startLocalS3 needs a data directory (dir)');
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw new InvalidArgumentError(`Invalid bucket name ${JSON.stringify(bucket)}`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError(`Invalid port ${port}`);

  const [sdk, { startS3Server }, { dataFolderCredentials }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('./local-s3-server/server.js'),
    import('./local-s3-server/credentials.js'),
  ]);
  const credentials = await dataFolderCredentials(dir);
  const onListenerError =
    options.onListenerError ??
    ((err: unknown, record: S3EventRecordJson) =>
      console.error(`[local-s3] listener failed for ${record.s3.object.key}:`, err));
  const server = await startS3Server({ dir, bucket, host, port, region, credentials, onListenerError });
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
  const client = new sdk.S3Client({
    endpoint,
    forcePathStyle: true,
    region,
    credentials: { ...credentials }, // a copy: the SDK annotates the object it is given
    // the server neither understands aws-chunked uploads nor returns CRC checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  let closed: Promise<void> | undefined;
  return {
    endpoint,
    bucket,
    port: server.port,
    client,
    credentials,
    allowHost: (extra) => server.allowHost(extra),
    onObjectCreated: (listener) => server.events.subscribe(listener),
    drainEvents: () => server.events.drain(),
    close() {
      closed ??= (async () => {
        client.destroy();
        await server.close();
      })();
      return closed;
    },
  };
}
