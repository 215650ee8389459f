import { GraftError } from '@graft/errors';

/**
 * Base of the errors of `@graft/extraction`.
 *
 * @example
 * ```ts
 * try { await processObject(key, deps); } catch (e) { if (e instanceof ExtractionError) console.log(e.code); }
 * ```
 */
export class ExtractionError extends GraftError {
  override name = 'ExtractionError';
}

/**
 * A failure worth retrying (S3 hiccup, config not written yet): the message goes back to the queue.
 *
 * @example
 * ```ts
 * throw new RetryableError('datasets/pets/graft.json does not exist yet; retrying');
 * ```
 */
export class RetryableError extends ExtractionError {
  override name = 'RetryableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('retryable', message, options);
  }
}
