/**
 * The API's configuration from environment variables (passed in as a plain record: no `process` here).
 */
import { ConfigError } from './errors.js';

/**
 * Parsed configuration.
 *
 * @example
 * ```ts
 * const config = readConfig(process.env);
 * ```
 */
export interface ApiConfig {
  /** GRAFT_BUCKET: the one bucket of the storage layout. */
  bucket: string;
  /** GRAFT_MODEL_NAME: the model `/ready` loads and reports. */
  modelName?: string;
  /** GRAFT_JOB_QUEUE and GRAFT_JOB_DEFINITION: AWS Batch target of `POST /v1/trainings`. */
  jobQueue?: string;
  jobDefinition?: string;
  /** GRAFT_S3_ENDPOINT: another S3 (MinIO, the embedded server); path-style addressing. */
  s3Endpoint?: string;
  /** AWS_REGION (default us-east-1). */
  region: string;
  /** GRAFT_BODY_LIMIT_BYTES (default 10 MB). */
  bodyLimitBytes?: number;
  /** GRAFT_REFRESH_MS (default 5000). */
  refreshMs?: number;
  /** GRAFT_BACKBONE_URL_ALLOW: origins `POST /v1/backbones` may download from (comma-separated; default none). */
  backboneUrlAllow: string[];
  /** GRAFT_BACKBONE_MAX_BYTES: limit on a registered backbone's weights (default 256 MiB). */
  backboneMaxBytes?: number;
  /** GRAFT_MAX_BATCH: most concurrent predictions of one model run as one batch (default 8; 1 = no batching). */
  maxBatchSize?: number;
  /** GRAFT_INFERENCE_THREADS: `auto`, a count, or 0 (default: inference on the request thread). Node only. */
  inferenceThreads?: string;
}

/**
 * Reads and validates the configuration.
 *
 * @example
 * ```ts
 * readConfig({ GRAFT_BUCKET: 'graft', GRAFT_MODEL_NAME: 'digits' });
 * ```
 */
export function readConfig(env: Record<string, string | undefined>): ApiConfig {
  const bucket = env.GRAFT_BUCKET;
  if (!bucket) throw new ConfigError('GRAFT_BUCKET must be set');
  if ((env.GRAFT_JOB_QUEUE === undefined) !== (env.GRAFT_JOB_DEFINITION === undefined)) {
    throw new ConfigError('GRAFT_JOB_QUEUE and GRAFT_JOB_DEFINITION must be set together');
  }
  return {
    bucket,
    modelName: env.GRAFT_MODEL_NAME || undefined,
    jobQueue: env.GRAFT_JOB_QUEUE || undefined,
    jobDefinition: env.GRAFT_JOB_DEFINITION || undefined,
    s3Endpoint: env.GRAFT_S3_ENDPOINT || undefined,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    bodyLimitBytes: positiveInt(env, 'GRAFT_BODY_LIMIT_BYTES'),
    refreshMs: positiveInt(env, 'GRAFT_REFRESH_MS'),
    backboneUrlAllow: originList(env.GRAFT_BACKBONE_URL_ALLOW),
    backboneMaxBytes: positiveInt(env, 'GRAFT_BACKBONE_MAX_BYTES'),
    ...inferenceConfig(env),
  };
}

/**
 * The serving knobs alone: GRAFT_MAX_BATCH and GRAFT_INFERENCE_THREADS (`graft start` reads them too).
 *
 * @example
 * ```ts
 * inferenceConfig({ GRAFT_MAX_BATCH: '8', GRAFT_INFERENCE_THREADS: 'auto' }); // { maxBatchSize: 8, inferenceThreads: 'auto' }
 * ```
 */
export function inferenceConfig(
  env: Record<string, string | undefined>,
): Pick<ApiConfig, 'maxBatchSize' | 'inferenceThreads'> {
  return {
    maxBatchSize: positiveInt(env, 'GRAFT_MAX_BATCH'),
    inferenceThreads: env.GRAFT_INFERENCE_THREADS || undefined,
  };
}

/**
 * An allow-list of origins from one variable: comma- or space-separated `scheme://host[:port]` entries (a path,
 * query or credentials is a `ConfigError`), returned as origins; empty or unset is an empty list.
 *
 * @example
 * ```ts
 * originList('https://models.example.com, http://127.0.0.1:9000'); // ['https://models.example.com', 'http://127.0.0.1:9000']
 * ```
 */
export function originList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      const bad = new ConfigError(
        `GRAFT_BACKBONE_URL_ALLOW: '${entry}' is not an origin (scheme://host[:port])`,
      );
      if (!URL.canParse(entry)) throw bad;
      const url = new URL(entry);
      if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) throw bad;
      return url.origin;
    });
}

function positiveInt(env: Record<string, string | undefined>, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new ConfigError(`${name} must be a non-negative integer, got '${raw}'`);
  return value;
}
