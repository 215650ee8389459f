/**
 * Life cycle of a job: queued → running → succeeded | failed; a queued or running job may also end `cancelled`
 * (a client asked) or `interrupted` (the process running it died: found so at the next start, and can be rerun).
 *
 * @example
 * ```ts
 * const done = (status: JobStatus) => FINISHED_STATUSES.includes(status);
 * ```
 */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/**
 * The statuses a job never leaves.
 *
 * @example
 * ```ts
 * FINISHED_STATUSES.includes('cancelled'); // true
 * ```
 */
export const FINISHED_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];

/**
 * What a job reports while it runs (stored in `jobs/<id>.json`).
 *
 * @example
 * ```ts
 * const progress: JobProgress = { phase: 'train', fraction: 0.5, epoch: 3, epochs: 10, loss: 0.41 };
 * ```
 */
export interface JobProgress {
  /** The phase the job is in, e.g. `index`, `advise`, `features`, `images`, `train`, `evaluate`, `publish`, `done`. */
  phase: string;
  /** 0–1 over the whole job. */
  fraction?: number;
  message?: string;
  epoch?: number;
  epochs?: number;
  batch?: number;
  loss?: number;
  valAcc?: number;
}

/**
 * Why a job failed, as stored in its record: a machine-readable code and a message for people.
 *
 * @example
 * ```ts
 * const error: JobFailure = { code: 'no_training_images', message: "data set 'pets' has no training images" };
 * ```
 */
export interface JobFailure {
  code: string;
  message: string;
}

/**
 * A stored job: `jobs/<id>.json`.
 *
 * @example
 * ```ts
 * const job: Job<{ dataset: string }> = {
 *   id: '01J0ABCDEF', status: 'queued', spec: { dataset: 'pets' },
 *   createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z',
 * };
 * ```
 */
export interface Job<Spec = unknown, Result = unknown> {
  id: string;
  status: JobStatus;
  spec: Spec;
  progress?: JobProgress;
  error?: JobFailure;
  result?: Result;
  /** The id the runner gave the job (the AWS Batch job id), so any API instance can stop it. */
  runnerJobId?: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * The fields of a job an update may change.
 *
 * @example
 * ```ts
 * const patch: JobPatch = { status: 'failed', error: { code: 'job_crashed', message: 'the worker died' } };
 * ```
 */
export interface JobPatch<Result = unknown> {
  status?: JobStatus;
  progress?: JobProgress;
  error?: JobFailure;
  result?: Result;
  runnerJobId?: string;
}
