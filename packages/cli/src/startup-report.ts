/**
 * What `graft start` reports about its own start and each model it loads: where a cold start goes.
 */
import { performance } from 'node:perf_hooks';
import type { ModelLoadEvent } from '@graft/fn-api';

/** Set by `bin/graft.js` to `'bundle'` when the command line runs from its bundle. */
const LOADED_FROM = Symbol.for('graft.loadedFrom');

/**
 * The start of this process by step (ms): `node` (Node's own bootstrap), `imports` (the command's module graph, up
 * to `commandStartMs`), then the runtime's steps (`s3`, `jobs`, `app`, `listen`); `totalMs` is the time from the
 * process's start to now. `code` says how the command line was loaded: `bundle` (built from the sources by
 * `bin/bundle.mjs`) or `sources` (compiled on the fly by tsx).
 *
 * @example
 * ```ts
 * const t0 = performance.now();
 * const runtime = await startRuntime();
 * processStartup(t0, runtime.startup); // { totalMs: 640, phasesMs: { node: 31, imports: 420, s3: 20, … } }
 * ```
 */
export function processStartup(
  commandStartMs: number,
  runtime: { phasesMs: Record<string, number> },
): { totalMs: number; code: 'bundle' | 'sources'; phasesMs: Record<string, number> } {
  const node = Math.round(performance.nodeTiming.bootstrapComplete);
  return {
    totalMs: Math.round(performance.now()),
    code: (globalThis as Record<symbol, unknown>)[LOADED_FROM] === 'bundle' ? 'bundle' : 'sources',
    phasesMs: { node, imports: Math.round(commandStartMs - node), ...runtime.phasesMs },
  };
}

/**
 * One model load as a line for people, e.g. `model digits v3 loaded in 412 ms (backend 90, read 35, …)`.
 *
 * @example
 * ```ts
 * out.info(describeModelLoad(event));
 * ```
 */
export function describeModelLoad(event: ModelLoadEvent): string {
  const steps = Object.entries(event.phasesMs)
    .map(([name, ms]) => `${name} ${ms}`)
    .join(', ');
  return `model ${event.name} v${event.version} loaded in ${event.totalMs} ms (${steps})`;
}
