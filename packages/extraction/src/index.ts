// "Extract one object": what the extract Lambda runs per S3 event and the training job runs for any upload the
// fan-out has not reached yet. Both functions use it; neither imports the other.

// An unknown backbone is `@graft/backbones`' error (code `backbone_not_found`), re-exported for the functions.
export { BackboneNotFoundError } from '@graft/backbones';
export { createExtractDeps } from './create-deps.js';
export { ExtractionError, RetryableError } from './errors.js';
export { createExtractorCache, type ExtractConfig, type Extractor } from './extractor.js';
export {
  FEATURE_DTYPE,
  type Outcome,
  type ProcessDeps,
  processObject,
  rejectKey,
} from './process-object.js';
