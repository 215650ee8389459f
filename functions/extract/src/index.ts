export { createExtractDeps } from './create-deps.js';
export { createExtractorCache, type ExtractConfig, type Extractor } from './extractor.js';
export { createExtractHandler, DEFAULT_EXTRACT_CONCURRENCY, keysOfMessage, type Log } from './handler.js';
export {
  type Outcome,
  type ProcessDeps,
  processObject,
  RetryableError,
  rejectKey,
} from './process-object.js';
