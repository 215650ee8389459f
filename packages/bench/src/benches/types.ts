import type { Flags } from '@graft/cli';

/**
 * One benchmark or evaluation: reads its flags, logs progress lines, resolves to its JSON result. Each module under
 * `src/benches/<name>.ts` (or `src/evals/<name>.ts`) exports it as `run`, and `src/benches/registry.ts` (or
 * `src/evals/registry.ts`) names it.
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

/** A benchmark or evaluation module, loaded only when it runs. */
export type RunModule = () => Promise<{ run: BenchRun }>;
