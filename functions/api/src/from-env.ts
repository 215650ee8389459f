/**
 * Builds the app from environment variables: the clients are created once here, at the edge, and passed in.
 * Used by `lambda.ts` and `server.ts`.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { S3BlobStore } from '@graft/storage';
import { resolveApiToken } from './api-token.js';
import type { createApp } from './app.js';
import { AwsBatchJobRunner } from './batch-runner.js';
import { type ApiConfig, readConfig } from './config.js';
import { ConfigError } from './errors.js';
import { noJobRunner } from './no-runner.js';
import type { JobRunner } from './ports.js';
import { createStoreApp, type StoreAppDeps } from './store-app.js';

/**
 * What {@link buildAppFromEnv} returns.
 *
 * @example
 * ```ts
 * const { app, token, generatedToken } = await buildAppFromEnv(process.env, { generateToken: true });
 * ```
 */
export interface EnvApp {
  app: ReturnType<typeof createApp>;
  config: ApiConfig;
  token: string;
  /** True when no token was configured and one was generated (only when `generateToken` is allowed). */
  generatedToken: boolean;
}

/**
 * Reads the configuration, builds the S3 and Batch clients and the adapters, and creates the app.
 *
 * @example
 * ```ts
 * const { app } = await buildAppFromEnv(process.env, { generateToken: false });
 * ```
 */
export async function buildAppFromEnv(
  env: Record<string, string | undefined>,
  options: { generateToken?: boolean; overrides?: Partial<StoreAppDeps> } = {},
): Promise<EnvApp> {
  const config = readConfig(env);
  let token = await resolveApiToken(env);
  let generatedToken = false;
  if (!token) {
    if (!options.generateToken) throw new ConfigError('set GRAFT_API_TOKEN or GRAFT_API_TOKEN_SECRET_ARN');
    token = randomToken();
    generatedToken = true;
  }
  const s3 = new S3Client({
    region: config.region,
    ...(config.s3Endpoint ? { endpoint: config.s3Endpoint, forcePathStyle: true } : {}),
  });
  const store = new S3BlobStore(s3, config.bucket);
  const runner: JobRunner =
    config.jobQueue && config.jobDefinition
      ? new AwsBatchJobRunner(
          async () => new (await import('@aws-sdk/client-batch')).BatchClient({ region: config.region }),
          config.jobQueue,
          config.jobDefinition,
        )
      : noJobRunner('no job runner is configured (set GRAFT_JOB_QUEUE and GRAFT_JOB_DEFINITION)');
  const inference = await inferenceOptions(config);
  const app = createStoreApp(store, {
    ...inference,
    runner,
    token,
    bodyLimitBytes: config.bodyLimitBytes,
    refreshMs: config.refreshMs,
    defaultModel: config.modelName,
    backboneUrlAllow: config.backboneUrlAllow,
    backboneMaxBytes: config.backboneMaxBytes,
    // one structured line per model load (CloudWatch on Lambda): where a cold start's time went
    onModelLoad: (event) => console.log(JSON.stringify({ level: 'info', msg: 'model loaded', ...event })),
    ...options.overrides,
  });
  return { app, config, token, generatedToken };
}

/**
 * Batching and worker threads from GRAFT_MAX_BATCH and GRAFT_INFERENCE_THREADS; the thread pool's module is loaded
 * only when threads are asked for (Lambda serves one request per instance: it leaves them at 0).
 *
 * @example
 * ```ts
 * await inferenceOptions(readConfig({ GRAFT_BUCKET: 'graft', GRAFT_INFERENCE_THREADS: '2' })); // { inferenceThreads: 2, loadModel, … }
 * ```
 */
export async function inferenceOptions(
  config: Pick<ApiConfig, 'maxBatchSize' | 'inferenceThreads'>,
): Promise<Pick<StoreAppDeps, 'maxBatchSize' | 'inferenceThreads' | 'loadModel'>> {
  const { maxBatchSize } = config;
  if (config.inferenceThreads === undefined || config.inferenceThreads === '0') return { maxBatchSize };
  const { inferenceThreadCount } = await import('./inference-pool/pool-model.js');
  const { startWarmingModel } = await import('./inference-pool/warming-model.js');
  const threads = inferenceThreadCount(config.inferenceThreads);
  if (threads === 0) return { maxBatchSize };
  return {
    maxBatchSize,
    inferenceThreads: threads,
    // serves on this thread from the first request; the threads take over once they are warm
    loadModel: (files) => startWarmingModel(files, { threads, maxBatchSize }),
  };
}

/**
 * 32 random bytes as hex (Web Crypto).
 *
 * @example
 * ```ts
 * randomToken(); // '9f86d081884c7d65...'
 * ```
 */
export function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}
