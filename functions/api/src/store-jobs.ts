/**
 * The {@link JobStoreLike} port over `@graft/storage`'s `JobStore` (`jobs/<id>.json`).
 */
import { type BlobStore, JobStore } from '@graft/storage';
import type { JobRecordLike, JobStoreLike, TrainingSpec } from './ports.js';

/**
 * Training jobs in the store.
 *
 * @example
 * ```ts
 * const jobs = new StoreJobs(store);
 * const { id } = await jobs.create({ dataset: 'digits', model: 'digits', strategy: 'auto' });
 * ```
 */
export class StoreJobs implements JobStoreLike {
  readonly jobs: JobStore;

  constructor(store: BlobStore | JobStore) {
    this.jobs = store instanceof JobStore ? store : new JobStore(store);
  }

  async create(spec: TrainingSpec): Promise<JobRecordLike> {
    const id = await this.jobs.create(spec);
    return { ...(await this.jobs.get(id)) };
  }

  async get(id: string): Promise<JobRecordLike | undefined> {
    try {
      return { ...(await this.jobs.get(id)) };
    } catch (err) {
      if ((err as { code?: unknown }).code === 'not_found') return undefined;
      throw err;
    }
  }

  async fail(id: string, message: string): Promise<void> {
    await this.jobs.update(id, { status: 'failed', error: { code: 'submit_failed', message } });
  }
}
