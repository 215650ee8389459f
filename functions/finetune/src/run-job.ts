import { errorCode, errorMessage } from '@graft/errors';
import {
  JobStore,
  progressReporter,
  type TrainingJob,
  type TrainingResult,
  type TrainingSpec,
} from '@graft/jobs';
import type { BlobStore } from '@graft/storage';
import { execute } from './execute.js';

/** Collaborators of {@link runJob}. */
export interface JobDeps {
  store: BlobStore;
  log?(entry: Record<string, unknown>): void;
}

/**
 * Runs one training job from its record in `jobs/<id>.json`: indexes the data set, gathers the stored trunk
 * activations (extracting any the fan-out has not), resolves `auto` through the advisor, trains, evaluates on
 * the test split (with temperature scaling fitted on the validation split), publishes an immutable model
 * version and records progress and the result. A failure marks the job failed with its reason and leaves the
 * serving version untouched.
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
  const progress = progressReporter((p) => jobs.update(jobId, { progress: p }));
  await jobs.update(jobId, { status: 'running', progress: { phase: 'index', fraction: 0 } });
  try {
    const executed = await execute({ spec: record.spec, store: deps.store, progress });
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
    deps.log?.({ level: 'error', msg: 'job failed', jobId, code, message });
    return await jobs.update<TrainingSpec, TrainingResult>(jobId, {
      status: 'failed',
      error: { code, message },
    });
  }
}
