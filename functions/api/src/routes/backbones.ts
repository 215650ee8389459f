/**
 * `GET /v1/backbones`, `GET /v1/backbones/{id}` and `POST /v1/backbones` (register a published model version or an
 * allow-listed URL as a backbone).
 */
import type { BackboneRegistry } from '@graft/backbones';
import { createRoute } from '@hono/zod-openapi';
import type { App, RouteDeps } from '../app-env.js';
import {
  AddBackboneBody,
  BackboneIdParams,
  BackboneListSchema,
  BackboneSchema,
} from '../backbone-schemas.js';
import { ApiError } from '../errors.js';
import { errorResponses } from '../schemas.js';

const list = createRoute({
  method: 'get',
  path: '/v1/backbones',
  tags: ['backbones'],
  summary: 'List the backbones: the bundled mobilenet_v2 and every registered one',
  security: [{ bearer: [] }],
  responses: {
    200: { description: 'backbones', content: { 'application/json': { schema: BackboneListSchema } } },
    ...errorResponses(401),
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/backbones/{id}',
  tags: ['backbones'],
  summary: "One backbone's manifest: input sizes, cuts, defaults, provenance",
  security: [{ bearer: [] }],
  request: { params: BackboneIdParams },
  responses: {
    200: { description: 'the manifest', content: { 'application/json': { schema: BackboneSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

const add = createRoute({
  method: 'post',
  path: '/v1/backbones',
  tags: ['backbones'],
  summary:
    'Register a published model version (minus its head) or a tfjs layers model at an allow-listed URL',
  security: [{ bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: AddBackboneBody } } } },
  responses: {
    201: { description: 'registered', content: { 'application/json': { schema: BackboneSchema } } },
    200: {
      description: 'the same weights were registered under this id before',
      content: { 'application/json': { schema: BackboneSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 409, 413),
  },
});

async function registryOf(deps: RouteDeps): Promise<BackboneRegistry> {
  if (!deps.backbones) throw new ApiError('not_configured', 'this deployment has no backbone registry');
  return typeof deps.backbones === 'function' ? deps.backbones() : deps.backbones;
}

/**
 * Registers the backbone routes.
 *
 * @example
 * ```ts
 * registerBackbones(app, deps);
 * ```
 */
export function registerBackbones(app: App, deps: RouteDeps): void {
  app.openapi(list, async (c) => {
    const registry = await registryOf(deps);
    const { summarizeManifest } = await import('@graft/backbones');
    return c.json({ backbones: (await registry.list()).map(summarizeManifest) }, 200);
  });

  app.openapi(get, async (c) => c.json(await (await registryOf(deps)).get(c.req.valid('param').id), 200));

  app.openapi(add, async (c) => {
    const body = c.req.valid('json');
    const registry = await registryOf(deps);
    const { sourceFromModelVersion, sourceFromUrl } = await import('@graft/backbones');
    const source =
      'url' in body
        ? await sourceFromUrl(body.url, {
            allow: deps.backboneUrlAllow ?? [],
            maxWeightBytes: registry.maxWeightBytes,
          })
        : await sourceFromModelVersion(registry.store, body.from.model, body.from.version);
    const { manifest, created } = await registry.add({ id: body.id, ...source });
    if (!created) return c.json(manifest, 200);
    c.header('Location', `/v1/backbones/${encodeURIComponent(manifest.id)}`);
    return c.json(manifest, 201);
  });
}
