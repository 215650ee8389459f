/**
 * Writes a job record and asks the runner to run it: the one way `POST /v1/trainings` and a rerun start a job.
 */
import type { TrainingJob, TrainingSpec } from '@graft/jobs';
import type { RouteDeps } from '../app-env.js';
import { JobSubmitError } from '../errors.js';

/**
 * Creates the job record, then submits it; a refused submission marks the record failed and throws
 * `JobSubmitError` (502 `job_submit_failed`).
 *
 * @example
 * ```ts
 * const job = await submitJob(deps, { dataset: 'digits', model: 'digits', strategy: 'auto' });
 * ```
 */
export async function submitJob(deps: RouteDeps, spec: TrainingSpec): Promise<TrainingJob> {
  const job = await deps.jobs.create(spec);
  try {
    const submitted = await deps.runner.submit(job.id);
    if (submitted?.runnerJobId) await deps.jobs.setRunnerJobId?.(job.id, submitted.runnerJobId);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    await deps.jobs.fail?.(job.id, `submission failed: ${reason}`).catch(() => undefined);
    throw new JobSubmitError(job.id, reason, { cause: err });
  }
  return job;
}
