/**
 * Writes a job record and asks the runner to run it: the one way `POST /v1/trainings` and a rerun start a job.
 */
import { TRAINING_LIMITS, type TrainingJob, type TrainingSpec } from '@graft/jobs';
import type { RouteDeps } from '../app-env.js';
import { JobSubmitError, OverBudgetError } from '../errors.js';

/**
 * Checks the epochs × training images budget where the data set's images can be counted cheaply (400
 * `over_budget`, before any record is written), creates the job record, then submits it; a refused submission marks
 * the record failed and throws `JobSubmitError` (502 `job_submit_failed`).
 *
 * @example
 * ```ts
 * const job = await submitJob(deps, { dataset: 'digits', model: 'digits', strategy: 'auto' });
 * ```
 */
export async function submitJob(deps: RouteDeps, spec: TrainingSpec): Promise<TrainingJob> {
  await checkEpochBudget(deps, spec);
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

/**
 * Refuses a request whose epochs × training images is over the job's budget: the images are counted only up to
 * the most the requested epochs allow (one list page per 1,000 keys, and only for data sets small enough to count
 * cheaply; the job checks larger ones once it has indexed them).
 */
async function checkEpochBudget(deps: RouteDeps, spec: TrainingSpec): Promise<void> {
  const epochs = spec.options?.epochs ?? 1;
  const maxImages = Math.floor((deps.maxEpochImages ?? TRAINING_LIMITS.maxEpochImages) / epochs);
  const images = await deps.jobs.countTrainingImages?.(spec.dataset, maxImages);
  if (images !== undefined && images > maxImages)
    throw new OverBudgetError(
      `data set '${spec.dataset}' has more than ${maxImages} training images: at ${epochs} epochs that is over the budget of ${deps.maxEpochImages ?? TRAINING_LIMITS.maxEpochImages} epochs × images per job (use fewer epochs)`,
    );
}
