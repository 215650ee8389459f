/**
 * What stops a running job from outside: a client's cancel (the marker `jobs/<id>.cancel`, polled) and the
 * job's wall-time budget. Either aborts one signal; the job's progress reports throw once it is aborted, so the
 * training loop (which reports every few batches) stops at the next report, and nothing is published after it.
 */
import { type JobStore, type ProgressReporter, TRAINING_LIMITS } from '@graft/jobs';
import { JobError } from './errors.js';

/** Options of {@link guardJob}. */
export interface JobGuardOptions {
  /** Wall-time budget of the job in seconds (default `TRAINING_LIMITS.maxJobSeconds`). */
  maxSeconds?: number;
  /** How often the cancel marker is read (default 1000 ms). */
  pollMs?: number;
  /** An outside signal that also stops the job (a runner shutting down). */
  signal?: AbortSignal;
}

/** A job's guard: its signal, a progress reporter that throws once it fires, and `dispose` to stop watching. */
export interface JobGuard {
  signal: AbortSignal;
  guard(progress: ProgressReporter): ProgressReporter;
  dispose(): void;
}

/**
 * Watches one job for a cancel and for its time budget.
 *
 * @example
 * ```ts
 * const guard = guardJob(jobs, id, { maxSeconds: 3600 });
 * try { await execute({ spec, store, progress: guard.guard(progress) }); } finally { guard.dispose(); }
 * ```
 */
export function guardJob(jobs: JobStore, jobId: string, options: JobGuardOptions = {}): JobGuard {
  const controller = new AbortController();
  const maxSeconds = options.maxSeconds ?? TRAINING_LIMITS.maxJobSeconds;
  const abort = (reason: JobError) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const budget = setTimeout(
    () =>
      abort(new JobError('time_budget_exceeded', `the job ran longer than its budget of ${maxSeconds} s`)),
    maxSeconds * 1000,
  );
  let polling = false;
  const poll = setInterval(async () => {
    if (polling || controller.signal.aborted) return;
    polling = true;
    try {
      if (await jobs.cancelRequested(jobId)) abort(new JobError('cancelled', 'cancelled by a client'));
    } catch {
      // A failed read is retried at the next tick.
    } finally {
      polling = false;
    }
  }, options.pollMs ?? 1000);
  budget.unref?.();
  poll.unref?.();
  const onOutside = () => abort(new JobError('interrupted', 'the runner stopped the job'));
  options.signal?.addEventListener('abort', onOutside, { once: true });
  if (options.signal?.aborted) onOutside();
  return {
    signal: controller.signal,
    guard(progress) {
      return {
        set(p) {
          controller.signal.throwIfAborted();
          progress.set(p);
        },
        flush: () => progress.flush(),
        phaseSeconds: () => progress.phaseSeconds(),
      };
    },
    dispose() {
      clearTimeout(budget);
      clearInterval(poll);
      options.signal?.removeEventListener('abort', onOutside);
    },
  };
}
