// The one training-job contract: what the API accepts and stores, what the job reads, reports and returns, and
// what the CLI shows. The job store and the progress writer keep `jobs/<id>.json`.
export {
  FINISHED_STATUSES,
  type Job,
  type JobFailure,
  type JobPatch,
  type JobProgress,
  type JobStatus,
} from './job.js';
export { JobStore } from './job-store.js';
export { type ProgressReporter, progressReporter } from './progress-reporter.js';
export { CHEAP_COUNT_MAX_KEYS, countTrainingImages } from './training-images.js';
export {
  type PromotionDecision,
  type RaceEntry,
  REJECTED_IN_RESULT,
  type RejectedUpload,
  type TrainingJob,
  type TrainingResult,
  type ValidationCheck,
} from './training-result.js';
export {
  epochBudgetProblem,
  TRAINING_LIMITS,
  TrainingNameSchema,
  TrainingOptionsSchema,
  TrainingSpecSchema,
  trainingSpecProblem,
} from './training-schema.js';
export {
  DEFAULT_BUDGET_SECONDS,
  optionsProblem,
  type PromotePolicy,
  TRAINING_STRATEGIES,
  type TrainingOptions,
  type TrainingSpec,
  type TrainingStrategy,
} from './training-spec.js';
