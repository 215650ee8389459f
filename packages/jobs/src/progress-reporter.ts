import type { JobProgress } from './job.js';

/**
 * What {@link progressReporter} returns: `set` records the latest progress, `flush` writes what is pending,
 * `phaseSeconds` says how long each phase took.
 *
 * @example
 * ```ts
 * function onEpoch(progress: ProgressReporter, epoch: number, epochs: number) {
 *   progress.set({ phase: 'train', fraction: epoch / epochs, epoch, epochs });
 * }
 * ```
 */
export interface ProgressReporter {
  /** Records the latest progress; written at once when the last write is `intervalMs` old, else coalesced. */
  set(p: JobProgress): void;
  /** Writes the latest pending update (after any write in flight). */
  flush(): Promise<unknown>;
  /** Seconds spent in each phase so far (where a job's time goes). */
  phaseSeconds(): Record<string, number>;
}

/**
 * Coalesces frequent progress updates into at most one write per `intervalMs` (the last one wins), so a job
 * reports per batch without hammering the store; `flush` writes the latest pending update. A message is kept
 * until a newer one replaces it. `phaseSeconds()` says how long each phase took.
 *
 * @example
 * ```ts
 * const progress = progressReporter((p) => jobs.update(id, { progress: p }));
 * progress.set({ phase: 'train', fraction: 0.5 });
 * await progress.flush();
 * ```
 */
export function progressReporter(
  write: (p: JobProgress) => Promise<unknown>,
  intervalMs = 1000,
): ProgressReporter {
  let latest: JobProgress | undefined;
  let message: string | undefined;
  let lastWrite = 0;
  const seconds: Record<string, number> = {};
  let phase: { name: string; since: number } | undefined;
  const close = (now: number) => {
    if (phase) seconds[phase.name] = (seconds[phase.name] ?? 0) + (now - phase.since) / 1000;
  };
  let inFlight: Promise<unknown> = Promise.resolve();
  const push = () => {
    if (!latest) return inFlight;
    const value = latest;
    latest = undefined;
    lastWrite = Date.now();
    inFlight = inFlight.then(() => write(value)).catch(() => {});
    return inFlight;
  };
  return {
    set(p: JobProgress) {
      if (p.phase !== phase?.name) {
        const now = performance.now();
        close(now);
        phase = { name: p.phase, since: now };
      }
      if (p.message) message = p.message;
      latest = { ...p, ...(message ? { message } : {}) };
      if (Date.now() - lastWrite >= intervalMs) void push();
    },
    flush: () => push(),
    phaseSeconds(): Record<string, number> {
      const now = performance.now();
      close(now);
      if (phase) phase.since = now;
      return Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, Math.round(v * 100) / 100]));
    },
  };
}
