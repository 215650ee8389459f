/**
 * `GET /health` (process is up) and `GET /ready` (which model version is loaded, the last load error).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteDeps } from '../app-env.js';
import { toErrorResponse } from '../error-handler.js';

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['ops'],
  summary: 'Liveness',
  responses: {
    200: {
      description: 'the process answers',
      content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } },
    },
  },
});

const SlotSchema = z.object({
  name: z.string(),
  version: z.number().int().optional(),
  loadedAt: z.string().optional(),
  loading: z.boolean(),
  lastError: z
    .object({ version: z.number().int().optional(), message: z.string(), at: z.string() })
    .optional(),
});

const ReadySchema = z
  .object({
    ready: z.boolean(),
    defaultModel: z.string().optional(),
    /** Why the default model is not serving, when it is not (e.g. `no_serving_version`). */
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    models: z.array(SlotSchema),
  })
  .openapi('Readiness');

const ready = createRoute({
  method: 'get',
  path: '/ready',
  tags: ['ops'],
  summary: 'Readiness: loaded model versions and the last load error of each',
  responses: {
    200: { description: 'ready to serve', content: { 'application/json': { schema: ReadySchema } } },
    503: {
      description: 'the default model has no loaded version',
      content: { 'application/json': { schema: ReadySchema } },
    },
  },
});

/**
 * Registers `/health` and `/ready`. With a default model, `/ready` loads it (once) and is 503 until a version
 * of it serves.
 *
 * @example
 * ```ts
 * registerHealth(app, deps);
 * ```
 */
export function registerHealth(app: App, deps: RouteDeps): void {
  app.openapi(health, (c) => c.json({ status: 'ok' as const }, 200));

  app.openapi(ready, async (c) => {
    const name = deps.defaultModel;
    let error: { code: string; message: string } | undefined;
    if (name) {
      await deps.serving.acquire(name).then(
        (lease) => lease.release(),
        (err: unknown) => {
          error = toErrorResponse(err).body.error;
        },
      );
    }
    const models = deps.serving.status();
    const isReady = !name || models.some((m) => m.name === name && m.version !== undefined);
    return c.json({ ready: isReady, defaultModel: name, error, models }, isReady ? 200 : 503);
  });
}
