/**
 * Typed errors of the API. Every error the API answers with carries a machine-readable `code`; the error handler
 * (error-handler.ts) maps the code to its HTTP status and answers the one JSON shape `{ error: { code, message } }`.
 */
import { GraftError } from '@graft/errors';

/**
 * Base class of every API error.
 *
 * @example
 * ```ts
 * throw new ApiError('test_image_not_found', "version 3 of 'digits' has no test image 7");
 * ```
 */
export class ApiError extends GraftError {
  override name = 'ApiError';
}

/**
 * A training request asks for more work than one job may do: epochs × training images over the budget (400
 * `over_budget`).
 *
 * @example
 * ```ts
 * throw new OverBudgetError("data set 'big' has more than 20000 training images: at 1000 epochs that is over the budget");
 * ```
 */
export class OverBudgetError extends ApiError {
  override name = 'OverBudgetError';
  constructor(message: string) {
    super('over_budget', message);
  }
}

/**
 * The request does not match the schema or is otherwise malformed (400 `invalid_request`).
 *
 * @example
 * ```ts
 * throw new InvalidRequestError('topK must be between 1 and 100');
 * ```
 */
export class InvalidRequestError extends ApiError {
  override name = 'InvalidRequestError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_request', message, options);
  }
}

/**
 * No model with that name exists (404 `model_not_found`).
 *
 * @example
 * ```ts
 * throw new ModelNotFoundError('digits');
 * ```
 */
export class ModelNotFoundError extends ApiError {
  override name = 'ModelNotFoundError';
  constructor(readonly model: string) {
    super('model_not_found', `model '${model}' does not exist`);
  }
}

/**
 * The model exists but that version does not (404 `version_not_found`).
 *
 * @example
 * ```ts
 * throw new VersionNotFoundError('digits', 7);
 * ```
 */
export class VersionNotFoundError extends ApiError {
  override name = 'VersionNotFoundError';
  constructor(
    readonly model: string,
    readonly version: number,
  ) {
    super('version_not_found', `model '${model}' has no version ${version}`);
  }
}

/**
 * The model exists but no version has been promoted to serve yet (409 `no_serving_version`).
 *
 * @example
 * ```ts
 * throw new NoServingVersionError('digits');
 * ```
 */
export class NoServingVersionError extends ApiError {
  override name = 'NoServingVersionError';
  constructor(readonly model: string) {
    super('no_serving_version', `model '${model}' has no serving version yet`);
  }
}

/**
 * The serving version could not be loaded and no older version is loaded either (503 `model_unavailable`).
 *
 * @example
 * ```ts
 * throw new ModelUnavailableError('digits', 3, 'weights.bin is truncated');
 * ```
 */
export class ModelUnavailableError extends ApiError {
  override name = 'ModelUnavailableError';
  constructor(
    readonly model: string,
    readonly version: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('model_unavailable', `model '${model}' version ${version} could not be loaded: ${reason}`, options);
  }
}

/**
 * Too many predictions are already waiting for this process (503 `overloaded`, with `Retry-After`): answered at
 * once instead of letting the request wait behind a queue it may time out in.
 *
 * @example
 * ```ts
 * throw new OverloadedError(64);
 * ```
 */
export class OverloadedError extends ApiError {
  override name = 'OverloadedError';
  /** Seconds the client should wait before retrying (sent as `Retry-After`). */
  readonly retryAfterSeconds = 1;
  constructor(readonly queued: number) {
    super('overloaded', `${queued} predictions are already waiting; retry shortly`);
  }
}

/**
 * No training job with that id (404 `job_not_found`).
 *
 * @example
 * ```ts
 * throw new JobNotFoundError('01HZX...');
 * ```
 */
export class JobNotFoundError extends ApiError {
  override name = 'JobNotFoundError';
  constructor(readonly jobId: string) {
    super('job_not_found', `training job '${jobId}' does not exist`);
  }
}

/**
 * An object named by `s3Key` does not exist (404 `object_not_found`).
 *
 * @example
 * ```ts
 * throw new ObjectNotFoundError('uploads/cat.jpg');
 * ```
 */
export class ObjectNotFoundError extends ApiError {
  override name = 'ObjectNotFoundError';
  constructor(readonly key: string) {
    super('object_not_found', `no object at '${key}'`);
  }
}

/**
 * The job record was written but the runner refused it (502 `job_submit_failed`).
 *
 * @example
 * ```ts
 * throw new JobSubmitError('01HZX...', 'queue is disabled');
 * ```
 */
export class JobSubmitError extends ApiError {
  override name = 'JobSubmitError';
  constructor(
    readonly jobId: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('job_submit_failed', `training job '${jobId}' could not be submitted: ${reason}`, options);
  }
}

/**
 * The API was configured wrongly (thrown at start-up, never answered to a client).
 *
 * @example
 * ```ts
 * if (!token) throw new ConfigError('GRAFT_API_TOKEN or GRAFT_API_TOKEN_SECRET_ARN must be set');
 * ```
 */
export class ConfigError extends GraftError {
  override name = 'ConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('config_error', message, options);
  }
}

/**
 * The job cannot be cancelled or rerun in its state (409 `job_finished` / `job_not_rerunnable`).
 *
 * @example
 * ```ts
 * throw new JobStateError('job_finished', "training job '01HZX' already succeeded");
 * ```
 */
export class JobStateError extends ApiError {
  override name = 'JobStateError';
}
