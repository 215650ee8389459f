/**
 * The {@link JobStoreLike} port over `@graft/jobs`' `JobStore` (`jobs/<id>.json`).
 */
import {
  countTrainingImages,
  JobStore,
  type TrainingJob,
  type TrainingResult,
  type TrainingSpec,
} from '@graft/jobs';
import { type BlobStore, NotFoundError } from '@graft/storage';
import type { JobStoreLike } from './ports.js';

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
  /** The bucket, when given one (the data sets' training images are counted in it). */
  private readonly store: BlobStore | undefined;

  constructor(store: BlobStore | JobStore) {
    this.jobs = store instanceof JobStore ? store : new JobStore(store);
    this.store = store instanceof JobStore ? undefined : store;
  }

  async countTrainingImages(dataset: string, upTo: number): Promise<number | undefined> {
    return this.store ? countTrainingImages(this.store, dataset, { upTo }) : undefined;
  }

  async create(spec: TrainingSpec): Promise<TrainingJob> {
    const id = await this.jobs.create(spec);
    return { ...(await this.jobs.get<TrainingSpec, TrainingResult>(id)) };
  }

  async get(id: string): Promise<TrainingJob | undefined> {
    try {
      return { ...(await this.jobs.get<TrainingSpec, TrainingResult>(id)) };
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async cancel(id: string): Promise<TrainingJob | undefined> {
    try {
      return { ...(await this.jobs.cancel<TrainingSpec, TrainingResult>(id)) };
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async setRunnerJobId(id: string, runnerJobId: string): Promise<void> {
    await this.jobs.update(id, { runnerJobId });
  }

  async fail(id: string, message: string): Promise<void> {
    await this.jobs.update(id, { status: 'failed', error: { code: 'submit_failed', message } });
  }
}
