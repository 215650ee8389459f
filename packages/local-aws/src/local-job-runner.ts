import type { JobRunner } from '@graft/fn-api';
import { type JobStatus, JobStore } from '@graft/jobs';
import { S3BlobStore } from '@graft/storage';
import { type S3Connection, s3ClientFor } from './s3-connection.js';
import { WorkerPool } from './worker-pool.js';

/**
 * The JobRunner of one machine: runs training jobs in a worker thread, one at a time in submission order, so
 * the API keeps answering while a job trains. `submit` returns at once; progress lives in `jobs/<id>.json`.
 * A job whose worker dies (crash, out of memory, `kill()`) is marked `failed` with the reason — the job itself
 * cannot say so any more — and the next job runs on a fresh worker. A model version is published only when a
 * job completes, so a dead job never moves the serving pointer.
 *
 * @example
 * ```ts
 * const runner = new LocalJobRunner({ s3 });
 * await runner.submit(job.id);
 * await runner.idle();
 * ```
 */
export class LocalJobRunner implements JobRunner {
  private readonly pool: WorkerPool<string, { status: JobStatus }>;
  private readonly jobs: JobStore;
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private readonly onError: (jobId: string, error: Error) => void;

  constructor(options: { s3: S3Connection; onError?(jobId: string, error: Error): void }) {
    this.pool = new WorkerPool({
      entry: new URL('./job-worker.ts', import.meta.url),
      size: 1,
      config: { s3: options.s3 },
    });
    this.jobs = new JobStore(new S3BlobStore(s3ClientFor(options.s3), options.s3.bucket));
    this.onError = options.onError ?? (() => {});
  }

  async submit(jobId: string): Promise<void> {
    this.pending++;
    this.tail = this.tail
      .then(() => this.pool.run(jobId))
      .catch(async (error: Error) => {
        this.onError(jobId, error);
        await this.markFailed(jobId, error);
      })
      .finally(() => this.pending--);
  }

  /** Resolves when every submitted job has finished. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.tail;
  }

  /** Terminates the job worker abruptly, failing the job it runs (fault tests; a stuck job). */
  async kill(): Promise<void> {
    await this.pool.kill(0);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async markFailed(jobId: string, error: Error): Promise<void> {
    const reason = error.message.split('\n')[0] ?? 'the job worker died';
    try {
      const job = await this.jobs.get(jobId);
      if (job.status === 'succeeded' || job.status === 'failed') return;
      await this.jobs.update(jobId, {
        status: 'failed',
        error: { code: 'job_crashed', message: `the training worker died: ${reason}` },
      });
    } catch (cause) {
      this.onError(jobId, new Error(`could not mark job ${jobId} failed`, { cause }));
    }
  }
}
