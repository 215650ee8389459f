/**
 * OpenAPI entries of the HTML routes (registered as plain Hono routes, documented here so `/docs` and
 * `/openapi.json` list them).
 */
import { z } from '@hono/zod-openapi';
import type { App } from '../app-env.js';
import { errorResponses, ModelNameParams } from '../schemas.js';

const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });
const VersionParams = ModelNameParams.extend({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .openapi({ param: { name: 'version', in: 'path' }, example: 2 }),
});
const security = [{ bearer: [] }];

/**
 * Documents the report, test-image, try-it and session routes.
 *
 * @example
 * ```ts
 * documentPageRoutes(app);
 * ```
 */
export function documentPageRoutes(app: App): void {
  const registry = app.openAPIRegistry;
  registry.registerPath({
    method: 'get',
    path: '/v1/models/{name}/report',
    tags: ['reports'],
    summary: 'Training report of the serving version (HTML; `?token=` sets the session cookie)',
    security,
    request: { params: ModelNameParams },
    responses: {
      200: html('the report page'),
      303: { description: 'session cookie set' },
      ...errorResponses(400, 401, 404, 409),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/models/{name}/versions/{version}/report',
    tags: ['reports'],
    summary: 'Training report of one version (HTML)',
    security,
    request: { params: VersionParams },
    responses: { 200: html('the report page'), ...errorResponses(400, 401, 404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/models/{name}/versions/{version}/test-images/{index}',
    tags: ['reports'],
    summary:
      'Test image `index` of that version’s report (only keys the report lists): as uploaded up to 192 px, else a 192 px JPEG preview',
    security,
    request: {
      params: VersionParams.extend({
        index: z.coerce
          .number()
          .int()
          .min(0)
          .openapi({ param: { name: 'index', in: 'path' }, example: 0 }),
      }),
    },
    responses: {
      200: {
        description: 'the image',
        content: { 'image/png': { schema: z.string().openapi({ format: 'binary' }) } },
      },
      ...errorResponses(400, 401, 404),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/session',
    tags: ['reports'],
    summary: 'Sets the session cookie (HttpOnly, SameSite=Strict) for the bearer token, so report links open',
    security,
    responses: { 204: { description: 'cookie set' }, ...errorResponses(401) },
  });
  registry.registerPath({
    method: 'get',
    path: '/',
    tags: ['reports'],
    summary: 'Try-it page: pick a model, drop an image, see the top labels',
    responses: { 200: html('the try-it page') },
  });
}
