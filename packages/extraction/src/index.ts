// "Extract one object": what the extract Lambda runs per S3 event and the training job runs for any upload the
// fan-out has not reached yet. Both functions use it; neither imports the other.
export { createExtractDeps } from './create-deps.js';
export { BackboneNotFoundError, ExtractionError, RetryableError } from './errors.js';
export { createExtractorCache, type ExtractConfig, type Extractor } from './extractor.js';
export {
  FEATURE_DTYPE,
  type Outcome,
  type ProcessDeps,
  processObject,
  rejectKey,
} from './process-object.js';
