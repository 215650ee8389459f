/**
 * The ports the API is written against. Adapters over the real packages live next to them
 * (`model-source.ts`, `batch-runner.ts`); tests may plug in anything with the same shape.
 */
import type { OodMethod, OodVerdict } from '@graft/core';
import type { TrainingJob, TrainingSpec } from '@graft/jobs';

/**
 * A decoded RGBA image (the shape `@graft/imaging`'s `decodeImage` returns).
 *
 * @example
 * ```ts
 * const image: DecodedImage = { width: 1, height: 1, data: new Uint8ClampedArray([0, 0, 0, 255]) };
 * ```
 */
export interface DecodedImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
  format?: string;
}

/**
 * One ranked label.
 *
 * @example
 * ```ts
 * const p: Prediction = { label: '7', score: 0.98 };
 * ```
 */
export interface Prediction {
  label: string;
  score: number;
}

/**
 * Options of {@link LoadedModel.classify}.
 *
 * @example
 * ```ts
 * await model.classify(image, { topK: 3, threshold: 0.6 });
 * ```
 */
export interface ClassifyOptions {
  topK: number;
  /** Below this top score the answer is flagged `unknown`. */
  threshold?: number;
  /** Overrides of the model's OOD method and threshold. */
  ood?: { method?: OodMethod; threshold?: number };
}

/**
 * What a model answers for one image.
 *
 * @example
 * ```ts
 * const c: Classification = { predictions: [{ label: 'cat', score: 0.4 }], unknown: true };
 * ```
 */
export interface Classification {
  predictions: Prediction[];
  unknown: boolean;
  /** The out-of-distribution verdict; `null` when the model version has no OOD data. */
  ood?: OodVerdict | null;
  /** How this image was served, when the model batches: its decode, its batch's inference, the batch's size. */
  timings?: BatchTimings;
}

/**
 * What one image of a batch cost: decoding it (the batch's images decode together) and inferring its batch.
 *
 * @example
 * ```ts
 * const t: BatchTimings = { decodeMs: 1.4, inferMs: 120, batchSize: 16 };
 * ```
 */
export interface BatchTimings {
  decodeMs: number;
  inferMs: number;
  batchSize: number;
}

/**
 * One request of a batch: the image (encoded bytes or decoded) and that request's own options.
 *
 * @example
 * ```ts
 * const r: ClassifyRequest = { image: jpegBytes, options: { topK: 3 } };
 * ```
 */
export interface ClassifyRequest {
  image: Uint8Array | DecodedImage;
  options: ClassifyOptions;
}

/**
 * One model version loaded into memory, ready to classify.
 *
 * @example
 * ```ts
 * const { predictions, unknown } = await model.classify(decoded, { topK: 3 });
 * model.dispose();
 * ```
 */
export interface LoadedModel {
  /** Classifies one image; a batching model runs concurrent calls together (see `dynamic-batcher.ts`). */
  classify(image: Uint8Array | DecodedImage, options: ClassifyOptions): Promise<Classification>;
  /**
   * True when the model decodes encoded bytes itself, inside its batches (on its worker threads when it has them):
   * the route then hands it the request's bytes instead of decoding them first. Optional.
   */
  decodesBytes?: boolean;
  /** Runs one inference on a blank input so the first real request is not slow. Optional. */
  warmup?(): Promise<void>;
  meta: Record<string, unknown>;
  dispose(): void;
}

/**
 * One published version of a model.
 *
 * @example
 * ```ts
 * const v: ModelVersionInfo = { version: 2, createdAt: '2026-11-27T17:00:00Z', metrics: { accuracy: 0.97 } };
 * ```
 */
export interface ModelVersionInfo {
  version: number;
  createdAt?: string;
  metrics?: Record<string, unknown>;
  [extra: string]: unknown;
}

/**
 * A model with its versions.
 *
 * @example
 * ```ts
 * const m: ModelInfo = { name: 'digits', servingVersion: 2, versions: [{ version: 1 }, { version: 2 }] };
 * ```
 */
export interface ModelInfo {
  name: string;
  servingVersion?: number;
  versions: ModelVersionInfo[];
}

/**
 * A model in a listing.
 *
 * @example
 * ```ts
 * const s: ModelSummary = { name: 'digits', servingVersion: 2, latestVersion: 3 };
 * ```
 */
export interface ModelSummary {
  name: string;
  servingVersion?: number;
  latestVersion?: number;
}

/**
 * Where models come from: the registry (which version serves) and the loader (bundle → {@link LoadedModel}).
 *
 * @example
 * ```ts
 * const pointer = await source.getCurrent('digits');
 * if (pointer) {
 *   const model = await source.loadVersion('digits', pointer.version);
 * }
 * ```
 */
export interface ModelSource {
  /** The serving pointer (`current.json`), or `undefined` when the model has none (or does not exist). */
  getCurrent(name: string): Promise<{ version: number } | undefined>;
  /** Loads one immutable version. Rejects when the bundle is missing or broken. */
  loadVersion(name: string, version: number): Promise<LoadedModel>;
  listModels(): Promise<ModelSummary[]>;
  /** A model and its versions, or `undefined` when no such model exists. */
  getModel(name: string): Promise<ModelInfo | undefined>;
  /** Points `current.json` at `version`. Rejects with `VersionNotFoundError` / `ModelNotFoundError`. */
  promote(name: string, version: number): Promise<void>;
}

/**
 * The part of the job store the API needs.
 *
 * @example
 * ```ts
 * const job = await jobs.create({ dataset: 'digits', model: 'digits', strategy: 'auto' });
 * const again = await jobs.get(job.id);
 * ```
 */
export interface JobStoreLike {
  create(spec: TrainingSpec): Promise<TrainingJob>;
  /** The job, or `undefined` when there is none with that id. */
  get(id: string): Promise<TrainingJob | undefined>;
  /** Marks a job failed (used when submission fails after the record was written). Optional. */
  fail?(id: string, message: string): Promise<void>;
  /**
   * Cancels a queued or running job (its record says `cancelled`; a finished job is returned unchanged), or
   * `undefined` when there is none. Without it, `DELETE /v1/trainings/{id}` answers 501.
   */
  cancel?(id: string): Promise<TrainingJob | undefined>;
  /** Records the id the runner gave the job (what `JobRunner.cancel` is given later). Optional. */
  setRunnerJobId?(id: string, runnerJobId: string): Promise<void>;
  /**
   * The data set's training images as the job counts them for its epochs × images budget, stopping past `upTo`;
   * `undefined` when they cannot be counted cheaply (then only the job checks the budget). Optional.
   */
  countTrainingImages?(dataset: string, upTo: number): Promise<number | undefined>;
}

/**
 * Starts the training job for a stored job record: AWS Batch in the cloud, a local worker on one machine.
 *
 * @example
 * ```ts
 * await runner.submit(job.id);
 * ```
 */
export interface JobRunner {
  /** Starts the job; may return the runner's own id for it (an AWS Batch job id), stored in the record. */
  // biome-ignore lint/suspicious/noConfusingVoidType: runners that return nothing (`Promise<void>`) stay valid
  submit(jobId: string): Promise<void | { runnerJobId?: string }>;
  /**
   * Stops a cancelled job's run (drops it from a queue, terminates it), given the runner's id for it when the
   * record has one; best effort, after the record says `cancelled`.
   */
  cancel?(jobId: string, runnerJobId?: string): Promise<void>;
}

/**
 * The part of `@graft/storage`'s `BlobStore` the API needs (reading `{ s3Key }` images).
 *
 * @example
 * ```ts
 * const reader: ObjectReader = new S3BlobStore(client, bucket);
 * ```
 */
export interface ObjectReader {
  /** Reads a whole object; rejects with a `GraftError` whose `code` is `'not_found'` when it does not exist. */
  get(key: string): Promise<Uint8Array>;
}
