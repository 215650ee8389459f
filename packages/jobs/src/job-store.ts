import {
  type BlobStore,
  InvalidArgumentError,
  InvalidJobTransitionError,
  keys,
  NotFoundError,
  PreconditionFailedError,
  readJson,
  ulid,
  writeJson,
} from '@graft/storage';
import { FINISHED_STATUSES, type Job, type JobPatch, type JobStatus } from './job.js';

const STATUSES: JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'];
const ALLOWED: Record<JobStatus, JobStatus[]> = {
  queued: ['queued', 'running', 'failed', 'cancelled', 'interrupted'],
  running: ['running', 'succeeded', 'failed', 'cancelled', 'interrupted'],
  succeeded: [],
  failed: [],
  cancelled: [],
  interrupted: [],
};

/**
 * What `jobs/<id>.cancel` holds. It is created once (If-None-Match) by whichever comes first: a client's cancel or
 * the job, just before it writes its model version, claiming the right to publish. The first one decides.
 */
type StopMarker = { cancelledAt: string } | { publishingAt: string };

/**
 * Jobs as JSON documents under `jobs/<id>.json` with sortable ULID ids.
 *
 * Updates are read-modify-write without a lock: one writer per job (the runner executing it) is
 * assumed; with several writers the last one wins. Finished jobs (succeeded, failed, cancelled, interrupted) are
 * frozen. A cancel is also a marker object no progress write can undo ({@link JobStore.cancel}); the same object,
 * created once, decides between a cancel and the job's publish ({@link JobStore.claimPublish}).
 *
 * @example
 * ```ts
 * const jobs = new JobStore(store);
 * const id = await jobs.create({ dataset: 'pets', strategy: 'auto' });
 * await jobs.update(id, { status: 'running', progress: { phase: 'train', epoch: 1, epochs: 10, fraction: 0.1 } });
 * const job = await jobs.get(id);
 * ```
 */
export class JobStore {
  constructor(
    private readonly store: BlobStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Stores a new queued job and returns its id. */
  async create<Spec>(spec: Spec): Promise<string> {
    const id = ulid(this.now().getTime());
    const at = this.now().toISOString();
    const job: Job<Spec> = { id, status: 'queued', spec, createdAt: at, updatedAt: at };
    await writeJson(this.store, keys.job(id), job, { ifNoneMatch: true });
    return id;
  }

  /** Reads a job; `NotFoundError` when there is none. */
  async get<Spec = unknown, Result = unknown>(id: string): Promise<Job<Spec, Result>> {
    return readJson<Job<Spec, Result>>(this.store, keys.job(id));
  }

  /** Applies a patch (validated against the life cycle) and returns the updated job. */
  async update<Spec = unknown, Result = unknown>(
    id: string,
    patch: JobPatch<Result>,
  ): Promise<Job<Spec, Result>> {
    validatePatch(patch);
    const current = await this.get<Spec, Result>(id);
    const next = patch.status ?? current.status;
    if (!ALLOWED[current.status].includes(next))
      throw new InvalidJobTransitionError(id, current.status, next);
    const updated: Job<Spec, Result> = {
      ...current,
      ...patch,
      status: next,
      updatedAt: this.now().toISOString(),
    };
    await writeJson(this.store, keys.job(id), updated);
    return updated;
  }

  /**
   * Cancels a queued or running job: creates the cancel marker `jobs/<id>.cancel` (the running job watches for it
   * and stops before it publishes), then marks the record `cancelled`. A finished job is returned unchanged, and
   * so is a job that has already claimed its publish ({@link JobStore.claimPublish}): it is `running` and will end
   * `succeeded` with its version complete.
   */
  async cancel<Spec = unknown, Result = unknown>(id: string): Promise<Job<Spec, Result>> {
    const job = await this.get<Spec, Result>(id);
    if (FINISHED_STATUSES.includes(job.status)) return job;
    const marker = await this.createMarker(id, { cancelledAt: this.now().toISOString() });
    if ('publishingAt' in marker) return this.get<Spec, Result>(id);
    try {
      return await this.update<Spec, Result>(id, {
        status: 'cancelled',
        error: { code: 'cancelled', message: 'cancelled by a client' },
      });
    } catch (err) {
      // The job finished between the read and the write: it stays as it ended.
      if (err instanceof InvalidJobTransitionError) return this.get<Spec, Result>(id);
      throw err;
    }
  }

  /** Whether a client asked to cancel the job (its marker exists and is a cancel, not the job's publish claim). */
  async cancelRequested(id: string): Promise<boolean> {
    try {
      const marker = await readJson<StopMarker>(this.store, keys.jobCancel(id));
      return !('publishingAt' in marker);
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  /**
   * The job's commit point, called just before it writes anything of its model version: claims the marker
   * `jobs/<id>.cancel` for the publish. Returns `false` when a cancel came first (the job must stop and publish
   * nothing); once it returns `true`, a cancel no longer applies and the job publishes a complete version.
   *
   * @example
   * ```ts
   * if (!(await jobs.claimPublish(id))) throw new JobError('cancelled', 'cancelled by a client');
   * ```
   */
  async claimPublish(id: string): Promise<boolean> {
    const marker = await this.createMarker(id, { publishingAt: this.now().toISOString() });
    return 'publishingAt' in marker;
  }

  /** Creates the job's marker unless it exists; returns the marker that stands (this one or the earlier one). */
  private async createMarker(id: string, marker: StopMarker): Promise<StopMarker> {
    try {
      await writeJson(this.store, keys.jobCancel(id), marker, { ifNoneMatch: true });
      return marker;
    } catch (err) {
      if (!(err instanceof PreconditionFailedError)) throw err;
      return readJson<StopMarker>(this.store, keys.jobCancel(id));
    }
  }

  /**
   * Marks every job still `queued` or `running` as `interrupted`: called when a runner starts, before it runs
   * anything, since no process can be running them any more. Returns the ids marked.
   */
  async markInterrupted(reason = 'the process running it stopped'): Promise<string[]> {
    const marked: string[] = [];
    for (const job of await this.list()) {
      if (job.status !== 'queued' && job.status !== 'running') continue;
      try {
        await this.update(job.id, {
          status: 'interrupted',
          error: {
            code: 'interrupted',
            message: `${reason}; rerun it with POST /v1/trainings/${job.id}/rerun`,
          },
        });
        marked.push(job.id);
      } catch (err) {
        if (!(err instanceof InvalidJobTransitionError)) throw err;
      }
    }
    return marked;
  }

  /** Jobs in creation order (oldest first), optionally filtered by status and capped by `limit`. */
  async list(options: { status?: JobStatus; limit?: number } = {}): Promise<Job[]> {
    const out: Job[] = [];
    for await (const info of this.store.list('jobs/')) {
      if (!info.key.endsWith('.json')) continue;
      const job = await this.get(info.key.slice('jobs/'.length, -'.json'.length));
      if (options.status && job.status !== options.status) continue;
      out.push(job);
      if (options.limit !== undefined && out.length >= options.limit) break;
    }
    return out;
  }
}

function validatePatch(patch: JobPatch): void {
  if (patch.status !== undefined && !STATUSES.includes(patch.status)) {
    throw new InvalidArgumentError(`unknown job status ${JSON.stringify(patch.status)}`);
  }
  const p = patch.progress;
  if (p !== undefined) {
    if (typeof p.phase !== 'string' || p.phase === '')
      throw new InvalidArgumentError('progress.phase is required');
    if (p.fraction !== undefined && !(p.fraction >= 0 && p.fraction <= 1)) {
      throw new InvalidArgumentError(`progress.fraction must be in [0, 1], got ${p.fraction}`);
    }
    for (const field of ['epoch', 'epochs', 'batch'] as const) {
      const v = p[field];
      if (v !== undefined && !(Number.isInteger(v) && v >= 0)) {
        throw new InvalidArgumentError(`progress.${field} must be a non-negative integer, got ${v}`);
      }
    }
  }
  if (
    patch.error !== undefined &&
    (typeof patch.error.message !== 'string' || typeof patch.error.code !== 'string')
  ) {
    throw new InvalidArgumentError('error needs a code and a message');
  }
}
