/**
 * The base of every error Graft throws on purpose. `code` is machine-readable and stable (API clients, job
 * records, `rejects/` records and `--json` output carry it); `message` is for people; `cause` keeps the error
 * underneath. Library errors hold no HTTP status: the API maps codes to statuses at its edge.
 *
 * @example
 * ```ts
 * try {
 *   await registry.current('pets');
 * } catch (error) {
 *   if (error instanceof GraftError && error.code === 'not_found') return undefined;
 *   throw error;
 * }
 * ```
 */
export class GraftError extends Error {
  override name = 'GraftError';
  /** Machine-readable error code, e.g. `not_found`, `corrupt_image`, `no_training_images`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * The `code` of a {@link GraftError}, or `fallback` for anything else (a bug, a library's own error).
 *
 * @example
 * ```ts
 * errorCode(new GraftError('not_found', 'no such model')); // 'not_found'
 * errorCode(new TypeError('x is undefined'), 'internal'); // 'internal'
 * ```
 */
export function errorCode(error: unknown, fallback = 'internal'): string {
  return error instanceof GraftError ? error.code : fallback;
}

/**
 * Whether `error` is a {@link GraftError} with this `code`.
 *
 * @example
 * ```ts
 * const bytes = await store.get(key).catch((e) => (hasCode(e, 'not_found') ? undefined : Promise.reject(e)));
 * ```
 */
export function hasCode(error: unknown, code: string): error is GraftError {
  return error instanceof GraftError && error.code === code;
}

/**
 * The message of any thrown value (an `Error`'s message, anything else as a string).
 *
 * @example
 * ```ts
 * log({ level: 'error', msg: errorMessage(error) });
 * ```
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
