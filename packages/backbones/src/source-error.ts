import { GraftError, hasCode } from '@graft/errors';
import { BackboneTooLargeError, InvalidBackboneError } from './errors.js';

/**
 * What a failure to read a source model means to the registry: a download over the limit is
 * `backbone_too_large`, a refused URL or weight path stays `source_not_allowed`, anything else `@graft/core` says
 * about the files is `invalid_backbone`; other errors (I/O) are rethrown as they are.
 *
 * @example
 * ```ts
 * const artifacts = await readModelDir(dir).catch((e) => { throw sourceError(e, limit); });
 * ```
 */
export function sourceError(cause: unknown, limit: number): unknown {
  if (hasCode(cause, 'source_too_large')) return new BackboneTooLargeError(undefined, limit, { cause });
  if (hasCode(cause, 'source_not_allowed') || !(cause instanceof GraftError)) return cause;
  return new InvalidBackboneError(cause.message, { cause });
}
