/**
 * The API the fuzzer talks to: the real app over the embedded S3 with a published tiny model, a stored image for
 * `{ s3Key }` predictions and a training job to cancel; the runner only records what it is asked.
 */
import path from 'node:path';
import { createStoreApp, ERROR_STATUS } from '@graft/fn-api';
import { type LocalS3, ModelRegistry, S3BlobStore, startLocalS3 } from '@graft/storage';
import { tinyModelFiles } from '../faults/tiny-model.js';

/** The name the tiny model is published under. */
export const FUZZ_MODEL = 'tiny';
/** Key of the stored image `{ s3Key }` predictions may name. */
export const FUZZ_KEY = 'datasets/fuzz/train/a/one.png';
/** The API token. */
export const FUZZ_TOKEN = 'fuzz-token-0123456789';

/** A running fuzz target. */
export interface FuzzApp {
  app: ReturnType<typeof createStoreApp>;
  /** `METHOD path` of every route the app registered (Hono's route table, middleware left out). */
  routes: { method: string; path: string }[];
  close(): Promise<void>;
}

/**
 * Starts the app with its bucket in `dir`.
 *
 * @example
 * ```ts
 * const target = await startFuzzApp(dir, png);
 * const res = await target.app.request('/v1/models', { headers: { authorization: `Bearer ${FUZZ_TOKEN}` } });
 * ```
 */
export async function startFuzzApp(dir: string, image: Uint8Array): Promise<FuzzApp> {
  const s3: LocalS3 = await startLocalS3({ dir: path.join(dir, 's3'), bucket: 'graft-fuzz' });
  const store = new S3BlobStore(s3.client, s3.bucket);
  await new ModelRegistry(store).publish(FUZZ_MODEL, { ...(await tinyModelFiles(1)), report: {} });
  await store.put(FUZZ_KEY, image);
  const app = createStoreApp(store, {
    runner: { submit: async () => undefined, cancel: async () => undefined },
    token: FUZZ_TOKEN,
    // Keep mutated bodies from reaching past the limits cheaply: the default limit, a small queue.
    maxQueuedPredictions: 64,
  });
  const routes = app.routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => ({ method: r.method, path: r.path }))
    .filter((r, i, all) => all.findIndex((o) => o.method === r.method && o.path === r.path) === i);
  return {
    app,
    routes,
    async close() {
      app.serving.dispose();
      await s3.close();
    },
  };
}

/** What an answer was: `ok` (2xx/3xx), `typed` (a 4xx with a known error code), `untyped` (any other 4xx) or `server` (5xx). */
export type AnswerClass = 'ok' | 'typed' | 'untyped' | 'server';

const HTTP_CODES = new Set([
  'invalid_request',
  'unauthorized',
  'not_found',
  'method_not_allowed',
  'payload_too_large',
  'unsupported_media_type',
]);

/**
 * Classifies one response (reads its body).
 *
 * @example
 * ```ts
 * await classify(await app.request('/nope')); // 'typed' (404 not_found)
 * ```
 */
export async function classify(res: Response): Promise<{ kind: AnswerClass; code?: string }> {
  if (res.status >= 500) {
    await res.body?.cancel();
    return { kind: 'server' };
  }
  if (res.status < 400) {
    await res.body?.cancel();
    return { kind: 'ok' };
  }
  const text = await res.text();
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    if (typeof code === 'string' && (Object.hasOwn(ERROR_STATUS, code) || HTTP_CODES.has(code)))
      return { kind: 'typed', code };
    return { kind: 'untyped', ...(typeof code === 'string' ? { code } : {}) };
  } catch {
    return { kind: 'untyped' };
  }
}
