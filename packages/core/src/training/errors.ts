import { GraftError } from '@graft/errors';

/**
 * Machine-readable codes of the training errors.
 *
 * @example
 * ```ts
 * if (error instanceof TrainingError && error.code === 'invalid_options') return 400;
 * ```
 */
export type TrainingErrorCode =
  | 'invalid_input'
  | 'invalid_options'
  | 'unknown_strategy'
  | 'unknown_architecture'
  | 'invalid_bundle';

/**
 * Base class of every error thrown by the training half of `@graft/core`.
 *
 * @example
 * ```ts
 * try { await train(input, options); } catch (e) { if (e instanceof TrainingError) console.log(e.code); }
 * ```
 */
export class TrainingError extends GraftError {
  override name = 'TrainingError';
  declare readonly code: TrainingErrorCode;
  constructor(code: TrainingErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * Training data that cannot be used (shapes, label ranges, empty sets).
 *
 * @example
 * ```ts
 * throw new InvalidTrainingInputError('labels has 3 entries but features has 4 rows');
 * ```
 */
export class InvalidTrainingInputError extends TrainingError {
  override name = 'InvalidTrainingInputError';
  constructor(message: string) {
    super('invalid_input', message);
  }
}

/**
 * Hyperparameters out of range (learning rate, epochs, batch size, fractions...).
 *
 * @example
 * ```ts
 * throw new InvalidTrainingOptionsError('epochs must be a positive integer');
 * ```
 */
export class InvalidTrainingOptionsError extends TrainingError {
  override name = 'InvalidTrainingOptionsError';
  constructor(message: string) {
    super('invalid_options', message);
  }
}

/**
 * A strategy or architecture name that Graft does not know.
 *
 * @example
 * ```ts
 * throw new UnknownStrategyError('unknown_architecture', 'no architecture named "resnet"');
 * ```
 */
export class UnknownStrategyError extends TrainingError {
  override name = 'UnknownStrategyError';
  constructor(code: 'unknown_strategy' | 'unknown_architecture', message: string) {
    super(code, message);
  }
}

/**
 * A model bundle whose files or `graft.json` are missing or malformed.
 *
 * @example
 * ```ts
 * throw new InvalidBundleError('graft.json has formatVersion 2, expected 1');
 * ```
 */
export class InvalidBundleError extends TrainingError {
  override name = 'InvalidBundleError';
  constructor(message: string) {
    super('invalid_bundle', message);
  }
}
