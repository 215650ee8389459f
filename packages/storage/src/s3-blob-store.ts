import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { BlobBody, BlobInfo, BlobStore, PutOptions } from './blob-store.js';
import { inMemoryBytes, iterableToStream } from './body.js';
import { InvalidArgumentError, NotFoundError, PreconditionFailedError } from './errors.js';
import { assertSafeKey } from './key-rules.js';
import { mapS3Error } from './s3-errors.js';

/** Bodies larger than this go through a multipart upload (8 MiB parts). */
export const MULTIPART_THRESHOLD = 8 * 1024 * 1024;

/** Options of {@link S3BlobStore}. */
export interface S3BlobStoreOptions {
  /**
   * How `ifNoneMatch` puts are made. `native` (default) sends `If-None-Match: *` (AWS S3 since 2024,
   * MinIO, and `startLocalS3`, whose server enforces it). `emulated` does head-then-put: there is a
   * race window between the HEAD and the PUT in which another writer can slip in, so use it only for
   * servers without conditional writes (s3rver, for one, silently ignores the header). A `native` put that
   * the server answers with 501 NotImplemented switches the store to `emulated` for in-memory bodies.
   */
  conditionalWrites?: 'native' | 'emulated';
  /** Multipart part size in bytes, also the multipart threshold (default 8 MiB, min 5 MiB). */
  partSize?: number;
  /** Parts uploaded concurrently (default 4). */
  queueSize?: number;
}

/**
 * {@link BlobStore} over an injected `@aws-sdk/client-s3` client. Keys are checked with
 * `assertSafeKey` (an `InvalidKeyError` for `..` segments and friends) and SDK errors are mapped to
 * typed errors (`NotFoundError`, `PreconditionFailedError`, `TransientStorageError`, `StorageError`).
 *
 * @example
 * ```ts
 * const store = new S3BlobStore(new S3Client({}), 'my-bucket');
 * await store.put('models/pets/current.json', JSON.stringify({ version: 3 }));
 * const text = new TextDecoder().decode(await store.get('models/pets/current.json'));
 * ```
 */
export class S3BlobStore implements BlobStore {
  readonly client: S3Client;
  readonly bucket: string;
  private conditionalWrites: 'native' | 'emulated';
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(client: S3Client, bucket: string, options: S3BlobStoreOptions = {}) {
    if (!bucket) throw new InvalidArgumentError('S3BlobStore needs a bucket name');
    const partSize = options.partSize ?? MULTIPART_THRESHOLD;
    if (!Number.isInteger(partSize) || partSize < 5 * 1024 * 1024) {
      throw new InvalidArgumentError(`partSize must be an integer of at least 5 MiB, got ${partSize}`);
    }
    this.client = client;
    this.bucket = bucket;
    this.conditionalWrites = options.conditionalWrites ?? 'native';
    this.partSize = partSize;
    this.queueSize = options.queueSize ?? 4;
  }

  /** How conditional puts are currently made (see {@link S3BlobStoreOptions.conditionalWrites}). */
  get conditionalWriteMode(): 'native' | 'emulated' {
    return this.conditionalWrites;
  }

  async get(key: string): Promise<Uint8Array> {
    assertSafeKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) throw new NotFoundError(key, `Object ${key} has no body`);
      return await out.Body.transformToByteArray();
    } catch (err) {
      throw mapS3Error(err, key);
    }
  }

  async put(key: string, body: BlobBody, options: PutOptions = {}): Promise<void> {
    assertSafeKey(key);
    const bytes = inMemoryBytes(body);
    if (options.ifNoneMatch && this.conditionalWrites === 'emulated') {
      // Emulation: HEAD then PUT. Racy — two writers can both see "absent" and both write.
      if (await this.head(key)) throw new PreconditionFailedError(key);
      return this.send(key, bytes ?? body, { ...options, ifNoneMatch: false });
    }
    try {
      await this.send(key, bytes ?? body, options);
    } catch (err) {
      const notImplemented = (err as { cause?: { name?: string } }).cause?.name === 'NotImplemented';
      if (options.ifNoneMatch && notImplemented && bytes) {
        this.conditionalWrites = 'emulated';
        return this.put(key, bytes, options);
      }
      throw err;
    }
  }

  private async send(key: string, body: BlobBody, options: PutOptions): Promise<void> {
    const params = {
      Bucket: this.bucket,
      Key: key,
      ContentType: options.contentType,
      Metadata: options.metadata,
      IfNoneMatch: options.ifNoneMatch ? '*' : undefined,
    };
    try {
      if (body instanceof Uint8Array && body.byteLength <= this.partSize) {
        await this.client.send(new PutObjectCommand({ ...params, Body: body }));
        return;
      }
      const stream =
        body instanceof Uint8Array || body instanceof ReadableStream
          ? body
          : typeof body === 'string'
            ? new TextEncoder().encode(body)
            : iterableToStream(body);
      const upload = new Upload({
        client: this.client,
        params: { ...params, Body: stream },
        partSize: this.partSize,
        queueSize: this.queueSize,
        leavePartsOnError: false,
      });
      await upload.done();
    } catch (err) {
      throw mapS3Error(err, key);
    }
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    assertSafeKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        key,
        size: out.ContentLength ?? 0,
        etag: stripQuotes(out.ETag),
        lastModified: out.LastModified,
        contentType: out.ContentType,
      };
    } catch (err) {
      const mapped = mapS3Error(err, key);
      if (mapped instanceof NotFoundError) return undefined;
      throw mapped;
    }
  }

  /**
   * Every object under `prefix` in key order. `maxKeys` is the page size of each ListObjectsV2
   * request (S3's MaxKeys, default 1000) — not a limit on the total.
   */
  async *list(
    prefix: string,
    options: { startAfter?: string; maxKeys?: number } = {},
  ): AsyncIterable<BlobInfo> {
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            StartAfter: token ? undefined : options.startAfter,
            ContinuationToken: token,
            MaxKeys: options.maxKeys,
          }),
        );
      } catch (err) {
        throw mapS3Error(err, prefix);
      }
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        yield {
          key: item.Key,
          size: item.Size ?? 0,
          etag: stripQuotes(item.ETag),
          lastModified: item.LastModified,
        };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      const mapped = mapS3Error(err, key);
      if (!(mapped instanceof NotFoundError)) throw mapped;
    }
  }
}

function stripQuotes(etag: string | undefined): string | undefined {
  return etag?.replace(/^"|"$/g, '');
}
