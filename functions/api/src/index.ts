export { resolveApiToken, type TokenEnv } from './api-token.js';
export { createApp, DEFAULT_BODY_LIMIT_BYTES, imagingDecoder } from './app.js';
export type { AppDeps, AppEnv, ImageDecoder } from './app-env.js';
export { bearerToken, timingSafeEqualText } from './auth.js';
export { AwsBatchJobRunner, batchJobName } from './batch-runner.js';
export { type ErrorBody, IMAGE_ERROR_STATUS, toErrorResponse } from './error-handler.js';
export * from './errors.js';
export * from './ports.js';
export { type Lease, type LoadError, ServingCache, type ServingOptions, type SlotStatus } from './serving.js';
