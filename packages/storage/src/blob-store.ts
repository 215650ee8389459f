/**
 * The storage port every Graft component talks to. The S3 adapter implements it over an injected
 * `S3Client`; tests run it against the real embedded S3 server.
 */

/** Metadata of one stored object. */
export interface BlobInfo {
  key: string;
  size: number;
  etag?: string;
  lastModified?: Date;
  contentType?: string;
}

/** Options for {@link BlobStore.put}. */
export interface PutOptions {
  contentType?: string;
  /** Write only if no object exists at the key (If-None-Match: *). Rejects with a `PreconditionFailedError` otherwise. */
  ifNoneMatch?: boolean;
  /** User metadata stored with the object. */
  metadata?: Record<string, string>;
}

/** Body accepted by {@link BlobStore.put}: bytes, text, or a stream of bytes (streamed, multipart above 8 MB). */
export type BlobBody = Uint8Array | string | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * Key/value blob storage (S3 semantics).
 *
 * @example
 * ```ts
 * await store.put('datasets/pets/graft.json', JSON.stringify(config), { contentType: 'application/json' });
 * const bytes = await store.get('datasets/pets/graft.json');
 * for await (const info of store.list('datasets/pets/')) console.log(info.key);
 * ```
 */
export interface BlobStore {
  /** Reads a whole object. Rejects with `NotFoundError` when the key does not exist. */
  get(key: string): Promise<Uint8Array>;
  /** Writes an object. */
  put(key: string, body: BlobBody, options?: PutOptions): Promise<void>;
  /** Object metadata, or `undefined` when the key does not exist. */
  head(key: string): Promise<BlobInfo | undefined>;
  /**
   * Every object under a prefix, in key order (UTF-8 byte order, like S3), fetching pages lazily.
   * `maxKeys` (added by the S3 adapter's author) is the page size of each list request, not a limit
   * on the total; adapters may ignore it.
   */
  list(prefix: string, options?: { startAfter?: string; maxKeys?: number }): AsyncIterable<BlobInfo>;
  /** Deletes an object; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}
