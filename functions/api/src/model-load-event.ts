/**
 * What loading one model version cost, step by step (the cold start of a serving process is mostly this), and the
 * step timer that measures it.
 */

/**
 * One loaded model version and how long each step took (ms). `backend` (tfjs and its wasm backend), `imports` (the
 * bundle loader and decoders) and `read` (the version's files from the bucket) run in parallel; `build` (weights
 * decoded, layers model built), `open` (trunk compiled with BatchNorm folded, serving head) and `warmup` (one
 * inference at the served input size) follow.
 *
 * @example
 * ```ts
 * const event: ModelLoadEvent = {
 *   name: 'digits', version: 3, totalMs: 412,
 *   phasesMs: { backend: 90, imports: 60, read: 35, build: 160, open: 60, warmup: 95 },
 * };
 * ```
 */
export interface ModelLoadEvent {
  name: string;
  version: number;
  totalMs: number;
  phasesMs: Record<string, number>;
}

/**
 * Times the steps of a start or a load: `step(name, work)` records how long `work` (a promise, or a function run
 * now) took from when it was handed in; `done()` returns every step and the time since the timer was made.
 *
 * @example
 * ```ts
 * const timer = stepTimer();
 * const files = await timer.step('read', registry.readBundleFiles(name, version));
 * const { totalMs, phasesMs } = timer.done(); // phasesMs.read
 * ```
 */
export function stepTimer(now: () => number = () => performance.now()) {
  const started = now();
  const phasesMs: Record<string, number> = {};
  return {
    async step<T>(name: string, work: Promise<T> | (() => Promise<T> | T)): Promise<T> {
      const t0 = now();
      const value = await (typeof work === 'function' ? work() : work);
      phasesMs[name] = Math.round(now() - t0);
      return value;
    },
    done(): { totalMs: number; phasesMs: Record<string, number> } {
      return { totalMs: Math.round(now() - started), phasesMs: { ...phasesMs } };
    },
  };
}
