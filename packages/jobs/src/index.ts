// The one training-job contract: what the API accepts and stores, what the job reads, reports and returns, and
// what the CLI shows. The job store and the progress writer keep `jobs/<id>.json`.
export type { Job, JobFailure, JobPatch, JobProgress, JobStatus } from './job.js';
export { JobStore } from './job-store.js';
export { type ProgressReporter, progressReporter } from './progress-reporter.js';
export type {
  PromotionDecision,
  RaceEntry,
  TrainingJob,
  TrainingResult,
  ValidationCheck,
} from './training-result.js';
export {
  DEFAULT_BUDGET_SECONDS,
  optionsProblem,
  type PromotePolicy,
  TRAINING_STRATEGIES,
  type TrainingOptions,
  type TrainingSpec,
  type TrainingStrategy,
} from './training-spec.js';
