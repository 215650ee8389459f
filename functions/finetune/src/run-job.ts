import { errorCode, errorMessage } from '@graft/errors';
import {
  JobStore,
  progressReporter,
  type TrainingJob,
  type TrainingResult,
  type TrainingSpec,
} from '@graft/jobs';
import { type BlobStore, InvalidJobTransitionError } from '@graft/storage';
import { JobError } from './errors.js';
import { execute } from './execute.js';
import { guardJob, type JobGuardOptions } from './job-guard.js';

/** Collaborators of {@link runJob}, and what may stop it (a cancel is always watched for). */
export interface JobDeps extends JobGuardOptions {
  store: BlobStore;
  log?(entry: Record<string, unknown>): void;
}

/**
 * Runs one training job from its record in `jobs/<id>.json`: indexes the data set, gathers the stored trunk
 * activations (extracting any the fan-out has not), resolves `auto` through the advisor, trains, evaluates on
 * the test split (with temperature scaling fitted on the validation split), publishes an immutable model
 * version and records progress and the result. A failure marks the job failed with its reason and leaves the
 * serving version untouched. A client's cancel (`jobs/<id>.cancel`) stops it at its next progress report and it
 * ends `cancelled`; running past `maxSeconds` ends it `failed` (`time_budget_exceeded`); neither publishes. A job
 * cancelled while queued does not start.
 *
 * @example
 * ```ts
 * const record = await runJob('01J…', { store });
 * console.log(record.status, record.result?.version);
 * ```
 */
export async function runJob(jobId: string, deps: JobDeps): Promise<TrainingJob> {
  const jobs = new JobStore(deps.store);
  const record = await jobs.get<TrainingSpec, TrainingResult>(jobId);
  if (record.status !== 'queued' && record.status !== 'running') return record;
  if (await jobs.cancelRequested(jobId)) return jobs.cancel(jobId);
  const progress = progressReporter((p) => jobs.update(jobId, { progress: p }));
  await jobs.update(jobId, { status: 'running', progress: { phase: 'index', fraction: 0 } });
  const guard = guardJob(jobs, jobId, deps);
  try {
    const executed = await execute({
      spec: record.spec,
      store: deps.store,
      progress: guard.guard(progress),
      // The commit point: a cancel that came first stops the job here, with nothing of its version written; once
      // claimed, a cancel is refused and the job publishes a complete version and ends succeeded.
      beforePublish: async () => {
        if (!(await jobs.claimPublish(jobId))) throw new JobError('cancelled', 'cancelled by a client');
      },
    });
    const result: TrainingResult = { ...executed, phaseSeconds: progress.phaseSeconds() };
    await progress.flush();
    return await jobs.update<TrainingSpec, TrainingResult>(jobId, {
      status: 'succeeded',
      progress: { phase: 'done', fraction: 1, message: `published ${result.model} v${result.version}` },
      result,
    });
  } catch (error) {
    await progress.flush().catch(() => {});
    const code = errorCode(error, 'job_failed');
    const message = errorMessage(error);
    deps.log?.({
      level: 'error',
      msg: `job ${code === 'cancelled' ? 'cancelled' : 'failed'}`,
      jobId,
      code,
      message,
    });
    if (code === 'cancelled') return jobs.cancel(jobId);
    const status = code === 'interrupted' ? 'interrupted' : 'failed';
    try {
      return await jobs.update<TrainingSpec, TrainingResult>(jobId, { status, error: { code, message } });
    } catch (err) {
      // Cancelled meanwhile: the record already says so.
      if (err instanceof InvalidJobTransitionError) return jobs.get<TrainingSpec, TrainingResult>(jobId);
      throw err;
    }
  } finally {
    guard.dispose();
  }
}
