import { names } from '@graft/storage';
import type { Flags } from './command.js';
import { UsageError } from './errors.js';

/**
 * Reads an integer flag with a default; a non-integer value is a usage error.
 *
 * @example
 * ```ts
 * const perClass = intFlag(flags, 'per-class', 100);
 * ```
 */
export function intFlag(flags: Flags, name: string, fallback: number): number {
  const value = flags[name];
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < 0)
    throw new UsageError(`--${name} expects a non-negative integer, got '${value}'`);
  return n;
}

/**
 * A non-negative number flag (`--iterations 5`), or the fallback when absent; anything else is a usage error.
 *
 * @example
 * ```ts
 * const iterations = numberFlag(flags, 'iterations', 10);
 * ```
 */
export function numberFlag(flags: Flags, name: string, fallback: number): number {
  const value = flags[name];
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`--${name} expects a non-negative number, got '${value}'`);
  return n;
}

/**
 * A required data set or model name flag, checked with storage's one name rule (`names.nameProblem`) before any
 * request: `--model a..` is a usage error here, as it is a 400 at the API.
 *
 * @example
 * ```ts
 * const model = nameFlag(flags, 'model'); // 'digits'
 * ```
 */
export function nameFlag(flags: Flags, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string') throw new UsageError(`--${name} <name> is required`);
  const problem = names.nameProblem(value);
  if (problem !== undefined) throw new UsageError(`--${name} '${value}': ${problem}`);
  return value;
}
