export type { BlobBody, BlobInfo, BlobStore, PutOptions } from './blob-store.js';
export * from './errors.js';
export { assertSafeKey, keyProblem, MAX_KEY_BYTES } from './key-rules.js';
export { type LocalS3, type LocalS3Options, startLocalS3 } from './local-s3.js';
export { normaliseS3rverRecord, type RecordContext, type S3rverRawRecord } from './local-s3-events.js';
export { MULTIPART_THRESHOLD, S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.js';
export { mapS3Error } from './s3-errors.js';
export {
  decodeS3EventKey,
  encodeS3EventKey,
  nextSequencer,
  type ObjectCreatedEventName,
  type S3EventJson,
  type S3EventRecordJson,
  toS3Event,
} from './s3-event.js';
