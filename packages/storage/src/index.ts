export type { BlobBody, BlobInfo, BlobStore, PutOptions } from './blob-store.js';
export { byteCompare } from './byte-compare.js';
export * from './errors.js';
export {
  decodeFeature,
  encodeFeature,
  FEATURE_FORMAT_VERSION,
  FEATURE_MAGIC,
  type FeatureData,
  type FeatureDType,
} from './feature-codec.js';
export { type FeatureRef, FeatureStore } from './feature-store.js';
export { FetchS3BlobStore, type FetchS3Options } from './fetch-s3-blob-store.js';
export { float16ToFloat32, float32ToFloat16, fromFloat16Bits, toFloat16Bits } from './float16.js';
export { readJson, writeJson } from './json-blob.js';
export { assertSafeKey, keyProblem, MAX_KEY_BYTES, MAX_SEGMENT_BYTES } from './key-rules.js';
export type { BackboneFile, Split, UploadKey, VersionFile } from './keys.js';
export * as keys from './keys.js';
export { type LocalS3, type LocalS3Options, startLocalS3 } from './local-s3.js';
export {
  type CurrentPointer,
  ModelRegistry,
  type ModelRegistryOptions,
  type ModelVersionFiles,
} from './model-registry.js';
export * as names from './names.js';
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
export { sha256 } from './sha256.js';
export { type S3Credentials, type SignInput, type SignScope, signRequest, uriEncode } from './sigv4.js';
export { isSafeWeightPath, type StoreIOHandlerOptions, storeIOHandler } from './store-io-handler.js';
export { ulid } from './ulid.js';
