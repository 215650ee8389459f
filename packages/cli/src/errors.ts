/** Base of the CLI's typed errors; `code` is machine-readable and printed in `--json` mode. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: string = 'cli_error',
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A flag or argument is missing or invalid. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 'usage');
    this.name = 'UsageError';
  }
}
