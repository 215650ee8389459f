import type { JobRunner } from '@graft/fn-api';
import type { S3Connection } from './s3-connection.js';
import { WorkerPool } from './worker-pool.js';

/**
 * The JobRunner of one machine: runs training jobs in a worker thread, one at a time in submission order, so
 * the API keeps answering while a job trains. `submit` returns at once; progress lives in `jobs/<id>.json`.
 *
 * @example
 * ```ts
 * const runner = new LocalJobRunner({ s3 });
 * await runner.submit(job.id);
 * await runner.idle();
 * ```
 */
export class LocalJobRunner implements JobRunner {
  private readonly pool: WorkerPool<string, { status: string }>;
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  constructor(options: { s3: S3Connection; onError?(jobId: string, error: Error): void }) {
    this.pool = new WorkerPool({
      entry: new URL('./job-worker.ts', import.meta.url),
      size: 1,
      config: { s3: options.s3 },
    });
    this.onError = options.onError ?? (() => {});
  }

  private readonly onError: (jobId: string, error: Error) => void;

  async submit(jobId: string): Promise<void> {
    this.pending++;
    this.tail = this.tail
      .then(() => this.pool.run(jobId))
      .catch((error: Error) => this.onError(jobId, error))
      .finally(() => this.pending--);
  }

  /** Resolves when every submitted job has finished. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.tail;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
