export { resolveApiToken, type TokenEnv } from './api-token.js';
export { createApp, DEFAULT_BODY_LIMIT_BYTES, imagingDecoder } from './app.js';
export type { AppDeps, AppEnv, ImageDecoder } from './app-env.js';
export { bearerToken, timingSafeEqualText } from './auth.js';
export { AwsBatchJobRunner, batchJobName } from './batch-runner.js';
export { type ApiConfig, inferenceConfig, originList, readConfig } from './config.js';
export {
  type BatchRunner,
  DEFAULT_MAX_BATCH_SIZE,
  DynamicBatcher,
  type DynamicBatcherOptions,
  type Settled,
} from './dynamic-batcher.js';
export { EDGE_WASM_FILES, EDGE_WASM_PREFIX } from './edge/wasm-files.js';
export { ERROR_STATUS, type ErrorBody, toErrorResponse } from './error-handler.js';
export * from './errors.js';
export { FifoGate, predictionGateSize } from './fifo-gate.js';
export { buildAppFromEnv, type EnvApp, inferenceOptions, randomToken } from './from-env.js';
export { type ModelLoadEvent, stepTimer } from './model-load-event.js';
export { RegistryModelSource, type RegistryModelSourceOptions, type VersionFiles } from './model-source.js';
export { noJobRunner } from './no-runner.js';
export * from './ports.js';
export { type Lease, type LoadError, ServingCache, type ServingOptions, type SlotStatus } from './serving.js';
export { createStoreApp, type StoreAppDeps } from './store-app.js';
export { StoreJobs } from './store-jobs.js';
