import { GraftError } from '@graft/errors';

/**
 * Typed errors of `@graft/storage`. Every error carries a machine-readable `code` so callers
 * (HTTP handlers, the job runner) can map them without string matching.
 */

/**
 * Base class of every storage error.
 *
 * @example
 * ```ts
 * try { await store.get(key); } catch (err) { if (err instanceof StorageError) console.log(err.code); }
 * ```
 */
export class StorageError extends GraftError {
  override name = 'StorageError';
}

/**
 * The object (or model, version, job) does not exist.
 *
 * @example
 * ```ts
 * await store.get('missing').catch((err) => err instanceof NotFoundError); // true
 * ```
 */
export class NotFoundError extends StorageError {
  override name = 'NotFoundError';
  /** The key (or identifier) that was not found. */
  readonly key: string;

  constructor(key: string, message = `Not found: ${key}`, options?: { cause?: unknown }) {
    super('not_found', message, options);
    this.key = key;
  }
}

/**
 * A conditional write failed (`ifNoneMatch` and the object already exists).
 *
 * @example
 * ```ts
 * await store.put(key, bytes, { ifNoneMatch: true }).catch((err) => err instanceof PreconditionFailedError);
 * ```
 */
export class PreconditionFailedError extends StorageError {
  override name = 'PreconditionFailedError';
  readonly key: string;

  constructor(
    key: string,
    message = `Precondition failed: ${key} already exists`,
    options?: { cause?: unknown },
  ) {
    super('precondition_failed', message, options);
    this.key = key;
  }
}

/**
 * The storage service is unavailable (HTTP 5xx, throttling, network failure, conflicting
 * concurrent conditional write). Safe to retry with back-off.
 *
 * @example
 * ```ts
 * if (err instanceof TransientStorageError) await retryLater();
 * ```
 */
export class TransientStorageError extends StorageError {
  override name = 'TransientStorageError';
  /** Whether a retry may succeed (always true for this class). */
  readonly retryable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super('storage_unavailable', message, options);
  }
}

/**
 * An object key that Graft refuses to use (empty, too long, `.`/`..` segments that could escape a
 * file-system backed store, control characters).
 *
 * @example
 * ```ts
 * await store.put('../etc/passwd', 'x').catch((err) => err.code === 'invalid_key'); // true
 * ```
 */
export class InvalidKeyError extends StorageError {
  override name = 'InvalidKeyError';
  readonly key: string;

  constructor(key: string, reason: string) {
    super('invalid_key', `Invalid object key ${JSON.stringify(key)}: ${reason}`);
    this.key = key;
  }
}

/**
 * A data set, model, label, file, backbone or job name that breaks the naming rules of the key layout.
 *
 * @example
 * ```ts
 * keys.datasetConfig('a/b'); // throws InvalidNameError (code 'invalid_name')
 * ```
 */
export class InvalidNameError extends StorageError {
  override name = 'InvalidNameError';
  /** Which kind of name was rejected, e.g. `dataset`, `label`. */
  readonly kind: string;
  readonly value: string;

  constructor(kind: string, value: string, reason: string) {
    super('invalid_name', `Invalid ${kind} name ${JSON.stringify(value)}: ${reason}`);
    this.kind = kind;
    this.value = value;
  }
}

/**
 * A stored blob could not be decoded (bad magic, truncated feature file, malformed JSON document).
 *
 * @example
 * ```ts
 * decodeFeature(new Uint8Array(3)); // throws CorruptDataError (code 'corrupt_data')
 * ```
 */
export class CorruptDataError extends StorageError {
  override name = 'CorruptDataError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('corrupt_data', message, options);
  }
}

/**
 * A loaded `model.json` lists a weight file path that is absolute, contains `..` or carries a URL scheme.
 *
 * @example
 * ```ts
 * await storeIOHandler(store, 'models/x/versions/1/').load(); // may throw UnsafeWeightPathError
 * ```
 */
export class UnsafeWeightPathError extends StorageError {
  override name = 'UnsafeWeightPathError';
  readonly path: string;

  constructor(path: string) {
    super('unsafe_weight_path', `Refusing weight path ${JSON.stringify(path)} in model.json`);
    this.path = path;
  }
}

/**
 * An argument outside its allowed range (feature shape, job progress, registry version, options).
 *
 * @example
 * ```ts
 * await registry.promote('pets', 0); // throws InvalidArgumentError (code 'invalid_argument')
 * ```
 */
export class InvalidArgumentError extends StorageError {
  override name = 'InvalidArgumentError';

  constructor(message: string) {
    super('invalid_argument', message);
  }
}

/**
 * `ModelRegistry.rollback` found no complete version older than the current one.
 *
 * @example
 * ```ts
 * await registry.rollback('pets').catch((err) => err.code === 'no_previous_version');
 * ```
 */
export class NoPreviousVersionError extends StorageError {
  override name = 'NoPreviousVersionError';

  constructor(model: string, current: number) {
    super('no_previous_version', `Model ${model} has no version before ${current} to roll back to`);
  }
}

/**
 * A job update that is not allowed by the job life cycle (e.g. changing a job that already finished).
 *
 * @example
 * ```ts
 * await jobs.update(id, { status: 'running' }); // after 'succeeded': throws InvalidJobTransitionError
 * ```
 */
export class InvalidJobTransitionError extends StorageError {
  override name = 'InvalidJobTransitionError';

  constructor(id: string, from: string, to: string) {
    super('invalid_job_transition', `Job ${id} cannot go from ${from} to ${to}`);
  }
}
