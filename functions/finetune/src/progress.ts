/** What a job reports while it runs (stored in `jobs/<id>.json`). */
export interface JobProgress {
  phase: string;
  /** 0–1 over the whole job. */
  fraction: number;
  message?: string;
  epoch?: number;
  epochs?: number;
  loss?: number;
  valAcc?: number;
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
export function progressReporter(write: (p: JobProgress) => Promise<unknown>, intervalMs = 1000) {
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
    /** Seconds spent in each phase so far (where a job's time goes). */
    phaseSeconds(): Record<string, number> {
      const now = performance.now();
      close(now);
      if (phase) phase.since = now;
      return Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, Math.round(v * 100) / 100]));
    },
  };
}
