import type { Job } from './job.js';
import type { TrainingSpec } from './training-spec.js';

/**
 * What a training job stores as its result: the published version, the strategy it ran and why, the test
 * metrics (calibrated with the temperature fitted on the validation split) and where its time went.
 *
 * @example
 * ```ts
 * const job = await jobs.get<TrainingSpec, TrainingResult>(id);
 * console.log(`${job.result?.model} v${job.result?.version}: ${job.result?.metrics.accuracy}`);
 * ```
 */
export interface TrainingResult {
  model: string;
  version: number;
  strategy: string;
  scenario?: number;
  explanation: string;
  cut?: string;
  metrics: { accuracy: number; macroF1: number; ece: number; eceCalibrated: number; temperature: number };
  /** Uploads per split and label (`{ train: { cat: 80 }, val: …, test: … }`). */
  counts: Record<string, Record<string, number>>;
  trainSeconds: number;
  /** Wall-clock seconds per job phase (index, advise, features, train, evaluate, publish). */
  phaseSeconds?: Record<string, number>;
}

/**
 * A stored training job: its {@link TrainingSpec}, status, progress and, once it succeeded, its
 * {@link TrainingResult} (what `GET /v1/trainings/{id}` answers).
 *
 * @example
 * ```ts
 * const job: TrainingJob = await api.json('GET', `/v1/trainings/${id}`);
 * if (job.status === 'failed') console.error(job.error?.code);
 * ```
 */
export type TrainingJob = Job<TrainingSpec, TrainingResult>;
