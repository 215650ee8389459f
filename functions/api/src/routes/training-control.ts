/**
 * `DELETE /v1/trainings/{id}` (cancel) and `POST /v1/trainings/{id}/rerun` (a new job with the same request).
 */
import { TrainingSpecSchema } from '@graft/jobs';
import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteDeps } from '../app-env.js';
import { ApiError, InvalidRequestError, JobNotFoundError, JobStateError } from '../errors.js';
import { errorResponses, JobIdParams, JobSchema } from '../schemas.js';
import { submitJob } from './submit-job.js';

const cancel = createRoute({
  method: 'delete',
  path: '/v1/trainings/{id}',
  tags: ['trainings'],
  summary:
    'Cancel a queued or running training job: it stops at its next progress report and publishes nothing; the record says `cancelled`. A job that has begun writing its model version is not cancelled (409 `job_publishing`): it ends `succeeded` with the version complete',
  security: [{ bearer: [] }],
  request: { params: JobIdParams },
  responses: {
    200: { description: 'the cancelled job', content: { 'application/json': { schema: JobSchema } } },
    ...errorResponses(400, 401, 404, 409),
  },
});

const rerun = createRoute({
  method: 'post',
  path: '/v1/trainings/{id}/rerun',
  tags: ['trainings'],
  summary:
    'Run a job that ended `interrupted`, `cancelled` or `failed` again: a new job with the same request (checked again)',
  security: [{ bearer: [] }],
  request: { params: JobIdParams },
  responses: {
    202: {
      description: 'accepted; poll GET /v1/trainings/{id} with the new id',
      content: {
        'application/json': {
          schema: z.object({ id: z.string(), rerunOf: z.string() }).openapi('TrainingRerun'),
        },
      },
    },
    ...errorResponses(400, 401, 404, 409, 502),
  },
});

const RERUNNABLE = new Set(['interrupted', 'cancelled', 'failed']);

/**
 * Registers the routes that cancel and rerun training jobs.
 *
 * @example
 * ```ts
 * registerTrainingControl(app, deps);
 * ```
 */
export function registerTrainingControl(app: App, deps: RouteDeps): void {
  app.openapi(cancel, async (c) => {
    const { id } = c.req.valid('param');
    if (!deps.jobs.cancel) throw new ApiError('not_configured', 'this API cannot cancel jobs');
    const before = await deps.jobs.get(id);
    if (!before) throw new JobNotFoundError(id);
    if (before.status === 'succeeded' || before.status === 'failed')
      throw new JobStateError('job_finished', `training job '${id}' already ${before.status}`);
    const job = await deps.jobs.cancel(id);
    if (!job) throw new JobNotFoundError(id);
    if (job.status === 'succeeded' || job.status === 'failed')
      throw new JobStateError('job_finished', `training job '${id}' already ${job.status}`);
    // The job claimed its publish before this cancel (JobStore.claimPublish): it finishes what it began.
    if (job.status === 'running' || job.status === 'queued')
      throw new JobStateError(
        'job_publishing',
        `training job '${id}' is publishing its model version and can no longer be cancelled; it ends succeeded`,
      );
    if (job.status === 'cancelled') await deps.runner.cancel?.(id, job.runnerJobId);
    return c.json(job, 200);
  });

  app.openapi(rerun, async (c) => {
    const { id } = c.req.valid('param');
    const before = await deps.jobs.get(id);
    if (!before) throw new JobNotFoundError(id);
    if (!RERUNNABLE.has(before.status))
      throw new JobStateError(
        'job_not_rerunnable',
        `training job '${id}' is ${before.status}; only interrupted, cancelled or failed jobs can be rerun`,
      );
    const spec = TrainingSpecSchema.safeParse(before.spec);
    if (!spec.success)
      throw new InvalidRequestError(`the job's request is no longer valid: ${spec.error.issues[0]?.message}`);
    const job = await submitJob(deps, spec.data);
    c.header('Location', `/v1/trainings/${encodeURIComponent(job.id)}`);
    return c.json({ id: job.id, rerunOf: id }, 202);
  });
}
