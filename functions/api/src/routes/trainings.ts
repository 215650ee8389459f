/**
 * `POST /v1/trainings` (202 `{ id }`) and `GET /v1/trainings/{id}`.
 */

import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteDeps } from '../app-env.js';
import { JobNotFoundError } from '../errors.js';
import { errorResponses, JobIdParams, JobSchema, TrainingBody } from '../schemas.js';
import { submitJob } from './submit-job.js';

const create = createRoute({
  method: 'post',
  path: '/v1/trainings',
  tags: ['trainings'],
  summary: 'Start a training job (the job record is written first, then the runner is asked to run it)',
  security: [{ bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: TrainingBody } } } },
  responses: {
    202: {
      description: 'accepted; poll GET /v1/trainings/{id}',
      content: { 'application/json': { schema: z.object({ id: z.string() }).openapi('TrainingAccepted') } },
    },
    ...errorResponses(400, 401, 502),
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/trainings/{id}',
  tags: ['trainings'],
  summary: 'Status and progress of a training job',
  security: [{ bearer: [] }],
  request: { params: JobIdParams },
  responses: {
    200: { description: 'the job', content: { 'application/json': { schema: JobSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

/**
 * Registers the training routes.
 *
 * @example
 * ```ts
 * registerTrainings(app, deps);
 * ```
 */
export function registerTrainings(app: App, deps: RouteDeps): void {
  app.openapi(create, async (c) => {
    const job = await submitJob(deps, c.req.valid('json'));
    c.header('Location', `/v1/trainings/${encodeURIComponent(job.id)}`);
    return c.json({ id: job.id }, 202);
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid('param');
    const job = await deps.jobs.get(id);
    if (!job) throw new JobNotFoundError(id);
    return c.json(job, 200);
  });
}
