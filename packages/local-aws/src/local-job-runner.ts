import type { JobRunner } from '@graft/fn-api';
import { FINISHED_STATUSES, type JobStatus, JobStore, TRAINING_LIMITS, type TrainingSpec } from '@graft/jobs';
import type { MemorySample } from '@graft/runtime';
import { S3BlobStore } from '@graft/storage';
import { FairQueue } from './fair-queue.js';
import { type S3Connection, s3ClientFor } from './s3-connection.js';
import { WorkerPool } from './worker-pool.js';

/** Options of {@link LocalJobRunner}. */
export interface LocalJobRunnerOptions {
  s3: S3Connection;
  onError?(jobId: string, error: Error): void;
  /** Wall-time budget of one job in seconds (default `TRAINING_LIMITS.maxJobSeconds`). */
  maxJobSeconds?: number;
  /**
   * How long a job may outlive a cancel or its budget before its worker is terminated (default 30 s): the job
   * stops itself at its next progress report; this is the backstop for a job stuck between reports.
   */
  graceSeconds?: number;
  /** Retire the training worker after this long without a job (ms; default: keep it). */
  idleMs?: number;
}

/**
 * Trainings one training thread runs before a fresh one replaces it (started in the background between jobs):
 * bounds what tfjs-layers keeps per training for the life of a thread (measured: +0.15 MB of live heap per
 * training, its registry of unique weight names).
 *
 * @example
 * ```ts
 * new WorkerPool({ entry, size: 1, maxTasks: JOBS_PER_THREAD });
 * ```
 */
export const JOBS_PER_THREAD = 20;

/**
 * The JobRunner of one machine: runs training jobs in a worker thread, one at a time, so the API keeps answering
 * while a job trains. `submit` returns at once; progress lives in `jobs/<id>.json`. The queue is fair: jobs wait
 * in one lane per model and lanes take turns, so a client submitting many jobs for one model cannot starve the
 * others. Every job has a wall-time budget; `cancel` drops a queued job, and a running one stops at its next
 * progress report (it watches `jobs/<id>.cancel`), its worker terminated if it has not within the grace period.
 * A job whose worker dies (crash, out of memory, `kill()`, the backstop) is marked `failed` with the reason — the
 * job itself cannot say so any more — and the next job runs on a fresh worker. A model version is published only
 * when a job completes, so a stopped job never moves the serving pointer.
 *
 * @example
 * ```ts
 * const runner = new LocalJobRunner({ s3 });
 * await runner.recover(); // jobs a dead process left queued or running → interrupted
 * await runner.submit(job.id);
 * await runner.idle();
 * ```
 */
export class LocalJobRunner implements JobRunner {
  private readonly pool: WorkerPool<string, { status: JobStatus }>;
  private readonly jobs: JobStore;
  private readonly queue = new FairQueue<string>();
  private running: { id: string; stop?: { code: string; message: string } } | undefined;
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private backstop: ReturnType<typeof setTimeout> | undefined;
  private readonly onError: (jobId: string, error: Error) => void;
  private readonly maxJobSeconds: number;
  private readonly graceMs: number;

  constructor(options: LocalJobRunnerOptions) {
    this.maxJobSeconds = options.maxJobSeconds ?? TRAINING_LIMITS.maxJobSeconds;
    this.graceMs = (options.graceSeconds ?? 30) * 1000;
    this.pool = new WorkerPool({
      entry: new URL('./job-worker.ts', import.meta.url),
      size: 1,
      config: { s3: options.s3, maxJobSeconds: this.maxJobSeconds },
      // Started by the first job: training code stays off the start (and memory) of a serving-only process.
      lazy: true,
      // A fresh thread every JOBS_PER_THREAD jobs: tfjs-layers never forgets a unique weight name, ~0.1 MB of
      // strings per training that loads MobileNetV2.
      maxTasks: JOBS_PER_THREAD,
      ...(options.idleMs === undefined ? {} : { idleMs: options.idleMs }),
    });
    this.jobs = new JobStore(new S3BlobStore(s3ClientFor(options.s3), options.s3.bucket));
    this.onError = options.onError ?? (() => {});
  }

  /**
   * Marks every job a previous process left `queued` or `running` as `interrupted` (none of them can be running
   * now); call it before submitting anything. Rerun one with `POST /v1/trainings/{id}/rerun`. Returns their ids.
   */
  async recover(): Promise<string[]> {
    return this.jobs.markInterrupted('Graft stopped while the job was queued or running');
  }

  async submit(jobId: string): Promise<void> {
    this.pending++;
    let lane = jobId;
    try {
      lane = (await this.jobs.get<TrainingSpec>(jobId)).spec.model ?? jobId;
    } catch {
      // An unreadable record runs (and fails) in a lane of its own.
    }
    this.queue.push(lane, jobId);
    this.pump();
  }

  /**
   * Stops a job: a queued one leaves the queue; a running one stops itself (its record is already `cancelled`),
   * its worker terminated after the grace period if it has not.
   */
  async cancel(jobId: string): Promise<void> {
    if (this.queue.remove(jobId)) {
      this.finished();
      return;
    }
    if (this.running?.id === jobId)
      this.arm(jobId, this.graceMs, { code: 'cancelled', message: 'cancelled' });
  }

  /** Resolves when every submitted job has finished. */
  async idle(): Promise<void> {
    if (this.pending === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** A sample of the job worker thread's own memory (undefined while it starts or is stuck). */
  async memory(options: { collect?: boolean } = {}): Promise<MemorySample | undefined> {
    return (await this.pool.memory(options))[0];
  }

  /** Terminates the job worker abruptly, failing the job it runs (fault tests; a stuck job). */
  async kill(): Promise<void> {
    await this.pool.kill(0);
  }

  async close(): Promise<void> {
    clearTimeout(this.backstop);
    await this.pool.close();
  }

  private pump(): void {
    if (this.running) return;
    const id = this.queue.shift();
    if (id === undefined) return;
    this.running = { id };
    // The job stops itself at its budget; the backstop terminates a worker stuck past it.
    this.arm(id, this.maxJobSeconds * 1000 + this.graceMs, {
      code: 'time_budget_exceeded',
      message: `the job ran longer than its budget of ${this.maxJobSeconds} s and was stopped`,
    });
    void this.pool
      .run(id)
      .catch(async (error: Error) => {
        this.onError(id, error);
        await this.markFailed(id, error, this.running?.stop);
      })
      .finally(() => {
        clearTimeout(this.backstop);
        this.running = undefined;
        this.finished();
        this.pump();
      });
  }

  /** Terminates the worker in `ms` unless job `id` has finished by then. */
  private arm(id: string, ms: number, stop: { code: string; message: string }): void {
    clearTimeout(this.backstop);
    this.backstop = setTimeout(() => {
      if (this.running?.id !== id) return;
      this.running.stop = stop;
      void this.pool.kill(0);
    }, ms);
    this.backstop.unref?.();
  }

  private finished(): void {
    this.pending--;
    if (this.pending > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async markFailed(
    jobId: string,
    error: Error,
    stop: { code: string; message: string } | undefined,
  ): Promise<void> {
    const reason = error.message.split('\n')[0] ?? 'the job worker died';
    try {
      const job = await this.jobs.get(jobId);
      if (FINISHED_STATUSES.includes(job.status)) return;
      await this.jobs.update(jobId, {
        status: 'failed',
        error: stop ?? { code: 'job_crashed', message: `the training worker died: ${reason}` },
      });
    } catch (cause) {
      this.onError(jobId, new Error(`could not mark job ${jobId} failed`, { cause }));
    }
  }
}
