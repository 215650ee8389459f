import { GraftError } from '@graft/errors';

/**
 * Base of the CLI's typed errors; `code` is machine-readable and printed in `--json` mode.
 *
 * @example
 * ```ts
 * throw new CliError('not_running', 'no running Graft found: start one with graft start');
 * ```
 */
export class CliError extends GraftError {
  override name = 'CliError';
}

/**
 * A flag or argument is missing or invalid (code `usage`).
 *
 * @example
 * ```ts
 * throw new UsageError('--per-class expects a non-negative integer');
 * ```
 */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string) {
    super('usage', message);
  }
}
