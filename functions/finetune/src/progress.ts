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
 * until a newer one replaces it.
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
      if (p.message) message = p.message;
      latest = { ...p, ...(message ? { message } : {}) };
      if (Date.now() - lastWrite >= intervalMs) void push();
    },
    flush: () => push(),
  };
}
