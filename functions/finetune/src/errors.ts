import { GraftError } from '@graft/errors';

/**
 * A training job cannot run or cannot finish; `code` is machine-readable and stored in the job record.
 *
 * @example
 * ```ts
 * throw new JobError('no_training_images', "data set 'pets' has no training images");
 * ```
 */
export class JobError extends GraftError {
  override name = 'JobError';
}
