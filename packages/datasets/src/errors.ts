import { GraftError } from '@graft/errors';

/**
 * Typed errors of `@graft/datasets`. Every error carries a machine-readable `code` so handlers can map
 * it (e.g. to an HTTP status) without parsing messages.
 */

/**
 * Base class of every error thrown by `@graft/datasets`.
 *
 * @example
 * ```ts
 * try {
 *   await loadFashionMnist({ split: 'train' });
 * } catch (error) {
 *   if (error instanceof DatasetError) console.error(error.code, error.message);
 * }
 * ```
 */
export class DatasetError extends GraftError {
  override name = 'DatasetError';
}

/**
 * A data set is not present on this machine and could not be installed (for example Fashion-MNIST when
 * the Debian package is missing and the process is not root).
 *
 * @example
 * ```ts
 * throw new DatasetUnavailableError('fashion-mnist', 'no IDX files in /data/fashion');
 * ```
 */
export class DatasetUnavailableError extends DatasetError {
  /** Which data set is unavailable. */
  readonly dataset: string;

  constructor(dataset: string, message: string, options?: { cause?: unknown }) {
    super('dataset_unavailable', `${dataset} is unavailable: ${message}`, options);
    this.name = 'DatasetUnavailableError';
    this.dataset = dataset;
  }
}

/**
 * Input that cannot form a valid data set: a corrupt IDX file, an unsafe data set or label name, a bad
 * split fraction, a duplicate sample key, a label outside the configured label list.
 *
 * @example
 * ```ts
 * throw new InvalidDatasetError('label "../x" must not contain ".."');
 * ```
 */
export class InvalidDatasetError extends DatasetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_dataset', message, options);
    this.name = 'InvalidDatasetError';
  }
}

/**
 * The data set already exists in the store with a different `graft.json` (input size, cut or labels), so new
 * uploads would be processed under a configuration that does not match the earlier ones.
 *
 * @example
 * ```ts
 * throw new DatasetConflictError('pets', 'inputSize is 96, not 128');
 * ```
 */
export class DatasetConflictError extends DatasetError {
  /** The data set whose stored configuration conflicts. */
  readonly dataset: string;

  constructor(dataset: string, message: string) {
    super('dataset_conflict', `data set "${dataset}" already exists with another configuration: ${message}`);
    this.name = 'DatasetConflictError';
    this.dataset = dataset;
  }
}

/**
 * The data set already exists on another backbone (code `dataset_backbone_changed`): the features of two
 * backbones never mix in one data set, so import into a new data set instead.
 *
 * @example
 * ```ts
 * throw new DatasetBackboneChangedError('pets', 'mobilenet_v2', 'digits-cnn');
 * ```
 */
export class DatasetBackboneChangedError extends DatasetError {
  constructor(
    readonly dataset: string,
    readonly existing: string,
    readonly requested: string,
  ) {
    super(
      'dataset_backbone_changed',
      `data set "${dataset}" uses backbone "${existing}", not "${requested}": the features of two backbones never mix; import into a new data set`,
    );
    this.name = 'DatasetBackboneChangedError';
  }
}
