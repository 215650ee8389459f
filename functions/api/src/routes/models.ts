/**
 * `GET /v1/models`, `GET /v1/models/{name}`, `POST /v1/models/{name}/promote`.
 */
import { createRoute } from '@hono/zod-openapi';
import type { App, RouteDeps } from '../app-env.js';
import { ModelNotFoundError, VersionNotFoundError } from '../errors.js';
import { errorResponses, ModelListSchema, ModelNameParams, ModelSchema, PromoteBody } from '../schemas.js';

const list = createRoute({
  method: 'get',
  path: '/v1/models',
  tags: ['models'],
  summary: 'List models with their serving and latest versions',
  security: [{ bearer: [] }],
  responses: {
    200: { description: 'models', content: { 'application/json': { schema: ModelListSchema } } },
    ...errorResponses(401),
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/models/{name}',
  tags: ['models'],
  summary: 'One model: its versions, their metrics and the serving version',
  security: [{ bearer: [] }],
  request: { params: ModelNameParams },
  responses: {
    200: { description: 'the model', content: { 'application/json': { schema: ModelSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

const promote = createRoute({
  method: 'post',
  path: '/v1/models/{name}/promote',
  tags: ['models'],
  summary: 'Serve another version (also rolls back)',
  security: [{ bearer: [] }],
  request: {
    params: ModelNameParams,
    body: { required: true, content: { 'application/json': { schema: PromoteBody } } },
  },
  responses: {
    200: {
      description: 'the model after the promotion',
      content: { 'application/json': { schema: ModelSchema } },
    },
    ...errorResponses(400, 401, 404),
  },
});

/**
 * Registers the model routes.
 *
 * @example
 * ```ts
 * registerModels(app, deps);
 * ```
 */
export function registerModels(app: App, deps: RouteDeps): void {
  app.openapi(list, async (c) => c.json({ models: await deps.models.listModels() }, 200));

  app.openapi(get, async (c) => {
    const { name } = c.req.valid('param');
    const model = await deps.models.getModel(name);
    if (!model) throw new ModelNotFoundError(name);
    return c.json(model, 200);
  });

  app.openapi(promote, async (c) => {
    const { name } = c.req.valid('param');
    const { version } = c.req.valid('json');
    const model = await deps.models.getModel(name);
    if (!model) throw new ModelNotFoundError(name);
    if (!model.versions.some((v) => v.version === version)) throw new VersionNotFoundError(name, version);
    await deps.models.promote(name, version);
    deps.serving.invalidate(name);
    return c.json({ ...model, servingVersion: version }, 200);
  });
}
