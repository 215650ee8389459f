import { GraftError } from '@graft/errors';

/**
 * Typed errors of the CDK app. Each carries a machine-readable `code` so a caller (the `bin/` entry,
 * a test) can tell a bad parameter from a bug without matching on the message.
 */

/**
 * A deployment parameter (context value or prop) is missing, malformed or out of range.
 *
 * @example
 * ```ts
 * try { parseGraftConfig({ 'graft:maxVcpus': 'lots' }); }
 * catch (err) { if (err instanceof GraftConfigError) console.error(err.code, err.parameter); }
 * ```
 */
export class GraftConfigError extends GraftError {
  override name = 'GraftConfigError';
  /** The parameter (context key) that is wrong. */
  readonly parameter: string;

  constructor(parameter: string, message: string) {
    super('invalid_config', `${parameter}: ${message}`);
    this.parameter = parameter;
  }
}
