/**
 * Life cycle of a job: queued → running → succeeded | failed (queued → failed too).
 *
 * @example
 * ```ts
 * const done = (status: JobStatus) => status === 'succeeded' || status === 'failed';
 * ```
 */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

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
}
