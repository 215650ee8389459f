/**
 * The Graft HTTP API as one Hono app. Web-standard APIs only (no `node:*`), so the same app runs in Lambda,
 * on Node and in edge runtimes; the entrypoints (`lambda.ts`, `server.ts`) build the clients and pass them in.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import type { AppDeps, AppEnv, ImageDecoder, RouteDeps } from './app-env.js';
import { bearerToken, tokenLink } from './auth.js';
import { bodySizeLimit } from './body-limit.js';
import { DEFAULT_MAX_BATCH_SIZE } from './dynamic-batcher.js';
import { errorBody, onError } from './error-handler.js';
import { ConfigError, InvalidRequestError } from './errors.js';
import { FifoGate, predictionGateSize } from './fifo-gate.js';
import { jsonDepthLimit } from './json-depth.js';
import { registerBackbones } from './routes/backbones.js';
import { registerDocs } from './routes/docs.js';
import { registerHealth } from './routes/health.js';
import { registerModels } from './routes/models.js';
import { registerPages } from './routes/pages.js';
import { registerPredict } from './routes/predict.js';
import { registerReport } from './routes/report.js';
import { registerTrainingControl } from './routes/training-control.js';
import { registerTrainings } from './routes/trainings.js';
import { ServingCache } from './serving.js';

/** What hono/aws-lambda passes as `c.env`. */
interface LambdaEnv {
  requestContext?: { requestId?: string };
}

/**
 * Default request body limit: 10 MB.
 *
 * @example
 * ```ts
 * createApp({ ...deps, bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES * 2 });
 * ```
 */
export const DEFAULT_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

/**
 * The default decoder: `decodeImage` of `@graft/imaging`, imported on first use.
 *
 * @example
 * ```ts
 * const image = await imagingDecoder(pngBytes); // { width, height, data, format: 'png' }
 * ```
 */
export const imagingDecoder: ImageDecoder = async (bytes) => {
  const { decodeImage } = await import('@graft/imaging');
  return decodeImage(bytes);
};

/**
 * Builds the API.
 *
 * @example
 * ```ts
 * const app = createApp({ models, jobs, runner, store, token: 's3cret' });
 * const res = await app.request('/v1/models', { headers: { authorization: 'Bearer s3cret' } });
 * ```
 */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> & { serving: ServingCache } {
  if (!deps.token || deps.token.length < 8)
    throw new ConfigError('the API token must have at least 8 characters');
  const limit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const serving = new ServingCache(deps.models, { refreshMs: deps.refreshMs, now: deps.now });
  const routeDeps: RouteDeps = {
    ...deps,
    serving,
    decode: deps.decode ?? imagingDecoder,
    decodeInModel: deps.decode === undefined,
    inference: new FifoGate({
      concurrency: predictionGateSize(
        deps.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
        deps.inferenceThreads ?? 0,
      ),
    }),
  };

  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const message = result.error.issues
          .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
          .join('; ');
        throw new InvalidRequestError(message);
      }
    },
  });

  app.use(
    requestId({
      // Behind API Gateway, reuse its request id so logs on both sides line up.
      generator: (c) => (c.env as LambdaEnv | undefined)?.requestContext?.requestId ?? crypto.randomUUID(),
    }),
  );
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: ["'unsafe-inline'"],
        // The HTML pages: one inline script with the request's nonce, same-origin fetches and images.
        scriptSrc: [NONCE],
        imgSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
      },
    }),
  );
  app.use('/', tokenLink(deps.token, deps.now));
  app.use('/v1/*', tokenLink(deps.token, deps.now));
  app.use('/v1/*', bearerToken(deps.token, deps.now));
  app.use(
    '/v1/*',
    bodySizeLimit(limit, (c) =>
      c.json(errorBody('payload_too_large', `the request body exceeds ${limit} bytes`), 413),
    ),
  );
  app.use('/v1/*', jsonDepthLimit());

  registerHealth(app, routeDeps);
  registerModels(app, routeDeps);
  registerPredict(app, routeDeps);
  registerTrainings(app, routeDeps);
  registerTrainingControl(app, routeDeps);
  registerBackbones(app, routeDeps);
  registerReport(app, routeDeps);
  registerPages(app, routeDeps);
  registerDocs(app);

  app.notFound((c) => c.json(errorBody('not_found', `no route ${c.req.method} ${c.req.path}`), 404));
  app.onError(onError);
  return Object.assign(app, { serving });
}
