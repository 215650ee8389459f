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
