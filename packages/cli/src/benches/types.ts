import type { Flags } from '../main.js';

/**
 * One benchmark or evaluation: reads its flags, logs progress lines, resolves to its JSON result.
 * A module under `src/benches/<name>.ts` (or `src/evals/<name>.ts`) exports it as `run`.
 *
 * @example
 * ```ts
 * export const run: BenchRun = async (flags, log) => {
 *   log('warming up …');
 *   return { samplesPerSec: 42 };
 * };
 * ```
 */
export type BenchRun = (flags: Flags, log: (message: string) => void) => Promise<Record<string, unknown>>;

/** Loads `run` from a module by its path relative to this folder's parent (kept dynamic: modules are optional). */
export async function loadRun(specifier: string, what: string): Promise<BenchRun> {
  let mod: { run?: BenchRun };
  try {
    mod = (await import(specifier)) as { run?: BenchRun };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(specifier.slice(3)))
      throw new Error(`${what} is not available in this build`);
    throw error;
  }
  if (typeof mod.run !== 'function') throw new Error(`${what}: module ${specifier} exports no run()`);
  return mod.run;
}
