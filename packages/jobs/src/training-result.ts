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
  /** The backbone the model was built on (its registry id). */
  backbone: string;
  /** Accuracy on the validation split, against the majority-class rate it had to beat clearly. */
  validation: ValidationCheck;
  /** Whether this version became the serving one, and why (or why not). */
  promoted: boolean;
  promotion: PromotionDecision;
  /** `auto` only: every candidate the job trained and compared on the validation split, the winner first. */
  candidates?: RaceEntry[];
  /** What the user should know although the job succeeded (e.g. a source developed from too few images). */
  warnings?: string[];
  /**
   * Uploads the job could not use (each also has a `rejects/` record, and the version's report lists them all):
   * how many, and the first {@link REJECTED_IN_RESULT} with why. Absent when every upload was used.
   */
  rejected?: { count: number; first: RejectedUpload[] };
}

/** How many rejected uploads a job result names (the version's report names every one). */
export const REJECTED_IN_RESULT = 20;

/** An upload a job skipped: its key, a machine-readable code (`corrupt_image`, `unsupported_format`, …) and why. */
export interface RejectedUpload {
  key: string;
  code: string;
  message: string;
}

/**
 * How a job's model did on the validation split against chance: `passed` when its accuracy beats the majority
 * class's share by more than two standard errors (`threshold`); not judged (`passed: true`, `judged: false`) when
 * the split is too small to tell.
 *
 * @example
 * ```ts
 * const check: ValidationCheck = { images: 150, accuracy: 0.78, chance: 0.1, threshold: 0.149, judged: true, passed: true };
 * ```
 */
export interface ValidationCheck {
  images: number;
  accuracy: number;
  chance: number;
  threshold: number;
  judged: boolean;
  passed: boolean;
}

/**
 * Why a version was (or was not) made the serving one.
 *
 * @example
 * ```ts
 * const p: PromotionDecision = { reason: 'not_better', serving: { version: 3, valAccuracy: 0.91 }, valAccuracy: 0.88 };
 * ```
 */
export interface PromotionDecision {
  reason:
    | 'first_version'
    | 'always'
    | 'better'
    | 'not_better'
    | 'labels_changed'
    | 'serving_unreadable'
    | 'no_validation';
  /** The version that was serving, scored on the same validation images. */
  serving?: { version: number; valAccuracy?: number };
  valAccuracy: number;
  message: string;
}

/**
 * One candidate of `auto`'s race: what it trained, its validation accuracy and how long it took, or why it did
 * not run.
 *
 * @example
 * ```ts
 * const e: RaceEntry = { name: 'pooled head at block_13_expand_relu', strategy: 'freeze-k', cut: 'block_13_expand_relu',
 *   upper: 'replace', advised: false, valAccuracy: 0.78, seconds: 1.8, chosen: true };
 * ```
 */
export interface RaceEntry {
  name: string;
  strategy: string;
  cut?: string;
  upper?: 'retrain' | 'replace';
  /** A head over a grid of pooled regions (`grid × grid`) instead of global average pooling. */
  grid?: number;
  /** The advisor's own pick. */
  advised: boolean;
  valAccuracy?: number;
  /**
   * Its cross-validated accuracy, when the validation split was too small to rank the cheap candidates on: each
   * fold of the training and validation images scored by a head trained on the others.
   */
  crossValidation?: { accuracy: number; sd: number; folds: number; images: number };
  seconds?: number;
  /** What it was estimated to cost before it started (candidates that train every layer). */
  estimatedSeconds?: number;
  chosen: boolean;
  /** Why it did not run (over the budget, nothing to train above the stored cut…). */
  skipped?: string;
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
