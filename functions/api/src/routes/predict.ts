/**
 * `POST /v1/models/{name}/predict`: raw image body, `{ image: base64 }` or `{ s3Key }`.
 */
import { hasCode } from '@graft/errors';
import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteDeps } from '../app-env.js';
import { ApiError, InvalidRequestError, ObjectNotFoundError, OverloadedError } from '../errors.js';
import type { ObjectReader } from '../ports.js';
import { errorResponses, ModelNameParams, PredictJson, PredictQuery, PredictResponse } from '../schemas.js';

/**
 * Media types accepted as a raw image body.
 *
 * @example
 * ```ts
 * IMAGE_MEDIA_TYPES.includes('image/webp'); // true
 * ```
 */
export const IMAGE_MEDIA_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'application/octet-stream',
] as const;

/**
 * Key prefixes a `{ s3Key }` request may read.
 *
 * @example
 * ```ts
 * READABLE_PREFIXES.some((p) => 'uploads/cat.jpg'.startsWith(p)); // true
 * ```
 */
export const READABLE_PREFIXES = ['datasets/', 'uploads/'] as const;

const binary = z.string().openapi({ type: 'string', format: 'binary' });

const route = createRoute({
  method: 'post',
  path: '/v1/models/{name}/predict',
  tags: ['predict'],
  summary: 'Classify one image with the serving version of a model',
  security: [{ bearer: [] }],
  request: {
    params: ModelNameParams,
    query: PredictQuery,
    body: {
      required: false,
      content: {
        'application/json': { schema: PredictJson },
        ...Object.fromEntries(IMAGE_MEDIA_TYPES.map((t) => [t, { schema: binary }])),
      },
    },
  },
  responses: {
    200: { description: 'top-k labels', content: { 'application/json': { schema: PredictResponse } } },
    ...errorResponses(400, 401, 404, 409, 413, 415, 422, 503),
  },
});

/** Predictions that may wait or run at once before new ones are refused with 503 `overloaded`. */
export const DEFAULT_MAX_QUEUED_PREDICTIONS = 64;

/**
 * Registers the prediction route.
 *
 * @example
 * ```ts
 * registerPredict(app, deps);
 * ```
 */
export function registerPredict(app: App, deps: RouteDeps): void {
  app.openapi(route, async (c) => {
    const { name } = c.req.valid('param');
    const query = c.req.valid('query');
    let bytes: Uint8Array;
    let topK = query.topK;
    let threshold = query.threshold;
    let oodThreshold = query.oodThreshold;
    let oodMethod = query.oodMethod;
    if (/^application\/(.+\+)?json/i.test(c.req.header('content-type') ?? '')) {
      const body = c.req.valid('json') as z.infer<typeof PredictJson>;
      topK = body.topK ?? topK;
      threshold = body.threshold ?? threshold;
      oodThreshold = body.oodThreshold ?? oodThreshold;
      oodMethod = body.oodMethod ?? oodMethod;
      bytes =
        body.image !== undefined ? decodeBase64(body.image) : await readKey(deps.store, body.s3Key ?? '');
    } else {
      bytes = new Uint8Array(await c.req.arrayBuffer());
    }
    if (bytes.byteLength === 0) throw new ApiError('empty_image', 'the request carries no image bytes');

    const lease = await deps.serving.acquire(name);
    try {
      // Checked right before joining the queue (no await in between), so concurrent requests cannot all slip in.
      if (deps.inference.size >= (deps.maxQueuedPredictions ?? DEFAULT_MAX_QUEUED_PREDICTIONS))
        throw new OverloadedError(deps.inference.size);
      const model = lease.model;
      const { result, t0, t1, t2 } = await deps.inference.run(async () => {
        const t0 = performance.now();
        // A batching model decodes the bytes itself, in its batch (on its worker thread when it has one), so
        // concurrent requests do not interleave their decoding on this thread; a decoder given to the app decodes here.
        const image = model.decodesBytes && deps.decodeInModel ? bytes : await deps.decode(bytes);
        const t1 = performance.now();
        const ood =
          oodThreshold === undefined && oodMethod === undefined
            ? undefined
            : { threshold: oodThreshold, method: oodMethod };
        // Concurrent calls of a batching model run together (dynamic batching); each keeps its own options.
        const result = await model.classify(image, {
          topK: topK ?? 5,
          threshold,
          ...(ood ? { ood } : {}),
        });
        return { result, t0, t1, t2: performance.now() };
      });
      const decodeMs = t1 - t0 + (result.timings?.decodeMs ?? 0);
      return c.json(
        {
          model: name,
          version: lease.version,
          predictions: result.predictions,
          unknown: result.unknown,
          ood: result.ood ?? null,
          timings: {
            decodeMs: round(decodeMs),
            inferMs: round(result.timings?.inferMs ?? t2 - t1),
            ...(result.timings
              ? {
                  batchSize: result.timings.batchSize,
                  queueMs: round(Math.max(0, t2 - t0 - decodeMs - result.timings.inferMs)),
                }
              : {}),
          },
        },
        200,
      );
    } finally {
      lease.release();
    }
  });
}

/**
 * Decodes standard or URL-safe base64 (an optional `data:` URL prefix is accepted).
 *
 * @example
 * ```ts
 * decodeBase64('iVBORw0KGgo='); // Uint8Array [0x89, 0x50, ...]
 * ```
 */
export function decodeBase64(text: string): Uint8Array {
  const payload = text
    .replace(/^data:[^,]*;base64,/, '')
    .replace(/\s+/g, '')
    .replace(/-/g, '+')
    .replace(/_/g, '/');
  let binaryText: string;
  try {
    binaryText = atob(payload);
  } catch (err) {
    throw new InvalidRequestError('image is not valid base64', { cause: err });
  }
  const bytes = new Uint8Array(binaryText.length);
  for (let i = 0; i < binaryText.length; i++) bytes[i] = binaryText.charCodeAt(i);
  return bytes;
}

/**
 * Reads an object a client named, refusing keys outside {@link READABLE_PREFIXES}.
 *
 * @example
 * ```ts
 * const bytes = await readKey(store, 'uploads/cat.jpg');
 * ```
 */
export async function readKey(store: ObjectReader | undefined, key: string): Promise<Uint8Array> {
  if (!store) throw new InvalidRequestError('s3Key is not available: this API has no store configured');
  const segments = key.split('/');
  if (
    !READABLE_PREFIXES.some((p) => key.startsWith(p)) ||
    segments.some((s) => s === '..' || s === '.') ||
    key.includes('\\')
  ) {
    throw new InvalidRequestError(`s3Key must name an object under ${READABLE_PREFIXES.join(' or ')}`);
  }
  try {
    return await store.get(key);
  } catch (err) {
    if (hasCode(err, 'not_found')) throw new ObjectNotFoundError(key);
    throw err;
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
