/**
 * The API as it runs in workerd: the same Hono app as on Node and Lambda (`createStoreApp`), over the same bucket,
 * read with {@link FetchS3BlobStore} (fetch + SigV4; the AWS SDK is not bundled), with the tfjs wasm backend and
 * the image codecs started from modules the bundle imports compiled.
 */
import { provideCodecModules } from '@graft/imaging';
import { FetchS3BlobStore } from '@graft/storage';
import type { createApp } from '../app.js';
import { readConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { RegistryModelSource } from '../model-source.js';
import { noJobRunner } from '../no-runner.js';
import { createStoreApp } from '../store-app.js';
import { initEdgeBackend } from './wasm-backend.js';

/**
 * The Worker's bindings (`wrangler.toml` `[vars]` and secrets).
 *
 * @example
 * ```ts
 * const env: EdgeEnv = { GRAFT_BUCKET: 'graft', GRAFT_API_TOKEN: '…', GRAFT_S3_ENDPOINT: 'https://<account>.r2.cloudflarestorage.com', GRAFT_S3_ACCESS_KEY_ID: '…', GRAFT_S3_SECRET_ACCESS_KEY: '…', AWS_REGION: 'auto' };
 * ```
 */
export interface EdgeEnv {
  GRAFT_BUCKET?: string;
  GRAFT_API_TOKEN?: string;
  GRAFT_S3_ENDPOINT?: string;
  GRAFT_S3_ACCESS_KEY_ID?: string;
  GRAFT_S3_SECRET_ACCESS_KEY?: string;
  GRAFT_S3_SESSION_TOKEN?: string;
  AWS_REGION?: string;
  GRAFT_MODEL_NAME?: string;
  GRAFT_REFRESH_MS?: string;
  GRAFT_BODY_LIMIT_BYTES?: string;
  [name: string]: unknown;
}

/**
 * The compiled WebAssembly modules the Worker bundle imports.
 *
 * @example
 * ```ts
 * const wasm: EdgeWasm = { tfjs, jpegDecoder, png, webpDecoder };
 * ```
 */
export interface EdgeWasm {
  tfjs: WebAssembly.Module;
  jpegDecoder: WebAssembly.Module;
  png: WebAssembly.Module;
  webpDecoder: WebAssembly.Module;
}

function required(env: EdgeEnv, name: keyof EdgeEnv & string): string {
  const value = env[name];
  if (typeof value !== 'string' || value === '') throw new ConfigError(`${name} must be set`);
  return value;
}

/**
 * Builds the app from the Worker's bindings. Does no I/O (safe at the first request; workerd forbids I/O at
 * global scope); models load on their first prediction.
 *
 * @example
 * ```ts
 * const app = createEdgeApp(env, wasm);
 * return app.fetch(request, env, ctx);
 * ```
 */
export function createEdgeApp(env: EdgeEnv, wasm: EdgeWasm): ReturnType<typeof createApp> {
  const strings = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  const config = readConfig(strings);
  provideCodecModules({ jpegDecoder: wasm.jpegDecoder, png: wasm.png, webpDecoder: wasm.webpDecoder });
  const store = new FetchS3BlobStore({
    endpoint: config.s3Endpoint ?? `https://s3.${config.region}.amazonaws.com`,
    bucket: config.bucket,
    region: config.region,
    credentials: {
      accessKeyId: required(env, 'GRAFT_S3_ACCESS_KEY_ID'),
      secretAccessKey: required(env, 'GRAFT_S3_SECRET_ACCESS_KEY'),
      sessionToken: strings.GRAFT_S3_SESSION_TOKEN,
    },
  });
  return createStoreApp(store, {
    models: new RegistryModelSource(store, { initBackend: () => initEdgeBackend(wasm.tfjs) }),
    runner: noJobRunner('training jobs cannot be started from the edge build: use the Node or Lambda API'),
    token: required(env, 'GRAFT_API_TOKEN'),
    bodyLimitBytes: config.bodyLimitBytes,
    refreshMs: config.refreshMs,
    defaultModel: config.modelName,
  });
}
