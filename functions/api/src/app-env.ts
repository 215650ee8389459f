/**
 * Types shared by the app and its route modules.
 */

import type { BackboneRegistry } from '@graft/backbones';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { RequestIdVariables } from 'hono/request-id';
import type { FifoGate } from './fifo-gate.js';
import type { DecodedImage, JobRunner, JobStoreLike, ModelSource, ObjectReader } from './ports.js';
import type { ServingCache } from './serving.js';

/**
 * Decodes image bytes (JPEG, PNG, WebP) into RGBA; throws errors carrying an imaging `code`.
 *
 * @example
 * ```ts
 * const decode: ImageDecoder = (bytes) => decodeImage(bytes, { maxPixels: 20_000_000 });
 * ```
 */
export type ImageDecoder = (bytes: Uint8Array) => Promise<DecodedImage>;

/**
 * Everything {@link createApp} needs; clients and adapters are built once by the entrypoint.
 *
 * @example
 * ```ts
 * const deps: AppDeps = { models, jobs, runner, store, token: 's3cret' };
 * ```
 */
export interface AppDeps {
  models: ModelSource;
  jobs: JobStoreLike;
  runner: JobRunner;
  /** Enables `{ s3Key }` prediction requests (keys under `datasets/` or `uploads/`). */
  store?: ObjectReader;
  /**
   * Enables the `/v1/backbones` routes (without it they answer 501 `not_configured`); a function makes the registry
   * on the first backbone request instead (then `@graft/backbones` and the model code under it stay off the start).
   */
  backbones?: BackboneRegistry | (() => Promise<BackboneRegistry>);
  /** Origins `POST /v1/backbones` may download a model from (`https://host[:port]`); default none: URLs are refused. */
  backboneUrlAllow?: string[];
  /** The bearer token every `/v1/*` request must present. */
  token: string;
  /** Maximum request body (default 10 MB). */
  bodyLimitBytes?: number;
  /** Minimum time between two reads of a model's `current.json` (default 5000 ms). */
  refreshMs?: number;
  /** Image decoder (default: `decodeImage` of `@graft/imaging`). */
  decode?: ImageDecoder;
  /** Predictions allowed to wait or run at once in this process before new ones get 503 `overloaded` (default 64). */
  maxQueuedPredictions?: number;
  /**
   * Most concurrent predictions of one model run as one batch (default 8; 1 = no batching). Tells the prediction
   * gate how many to let in; the models batch themselves (`createStoreApp` passes it to the model source).
   */
  maxBatchSize?: number;
  /** Inference worker threads per model (0 = on the request thread, the default; `createStoreApp` starts them). */
  inferenceThreads?: number;
  /** Model whose load state `/ready` reports even before its first request (the entrypoints pass GRAFT_MODEL_NAME). */
  defaultModel?: string;
  /** Epochs × training images one job may do (default `TRAINING_LIMITS.maxEpochImages`; tests set it lower). */
  maxEpochImages?: number;
  /** Clock (ms since the epoch) for the serving cache and session expiry, for tests. */
  now?: () => number;
}

/**
 * Resolved dependencies available to route modules.
 *
 * @example
 * ```ts
 * registerPredict(app, { ...deps, serving, decode });
 * ```
 */
export interface RouteDeps extends AppDeps {
  serving: ServingCache;
  decode: ImageDecoder;
  /** True when the app was given no decoder: models that decode bytes themselves (`decodesBytes`) get the bytes. */
  decodeInModel: boolean;
  /**
   * Decoding and inference of predictions run through it first come first served, as many at once as fill the
   * model's batches (`predictionGateSize`); its size bounds the queue (503 `overloaded`).
   */
  inference: FifoGate;
}

/**
 * Hono environment of the app.
 *
 * @example
 * ```ts
 * const app = new OpenAPIHono<AppEnv>();
 * ```
 *
 * @example
 * ```ts
 * function registerX(app: App, deps: RouteDeps): void {}
 * ```
 */
export type AppEnv = { Variables: RequestIdVariables };

/** The app type route modules register on. */
export type App = OpenAPIHono<AppEnv>;
