/**
 * Typed errors of the API. Every error the API answers with carries an HTTP `status` and a machine-readable
 * `code`; the error handler turns them into the one JSON shape `{ error: { code, message } }`.
 */

/**
 * Base class of every API error.
 *
 * @example
 * ```ts
 * throw new ApiError(418, 'teapot', 'I am a teapot');
 * ```
 */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
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
  override readonly name = 'InvalidRequestError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(400, 'invalid_request', message, options);
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
  override readonly name = 'ModelNotFoundError';
  constructor(readonly model: string) {
    super(404, 'model_not_found', `model '${model}' does not exist`);
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
  override readonly name = 'VersionNotFoundError';
  constructor(
    readonly model: string,
    readonly version: number,
  ) {
    super(404, 'version_not_found', `model '${model}' has no version ${version}`);
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
  override readonly name = 'NoServingVersionError';
  constructor(readonly model: string) {
    super(409, 'no_serving_version', `model '${model}' has no serving version yet`);
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
  override readonly name = 'ModelUnavailableError';
  constructor(
    readonly model: string,
    readonly version: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      503,
      'model_unavailable',
      `model '${model}' version ${version} could not be loaded: ${reason}`,
      options,
    );
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
  override readonly name = 'OverloadedError';
  /** Seconds the client should wait before retrying (sent as `Retry-After`). */
  readonly retryAfterSeconds = 1;
  constructor(readonly queued: number) {
    super(503, 'overloaded', `${queued} predictions are already waiting; retry shortly`);
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
  override readonly name = 'JobNotFoundError';
  constructor(readonly jobId: string) {
    super(404, 'job_not_found', `training job '${jobId}' does not exist`);
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
  override readonly name = 'ObjectNotFoundError';
  constructor(readonly key: string) {
    super(404, 'object_not_found', `no object at '${key}'`);
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
  override readonly name = 'JobSubmitError';
  constructor(
    readonly jobId: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(502, 'job_submit_failed', `training job '${jobId}' could not be submitted: ${reason}`, options);
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
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'config_error';
}
