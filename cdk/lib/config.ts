import { GraftConfigError } from './errors.js';

/** Every deployment parameter of the Graft stack, all resolved (no optionals except the bucket name). */
export interface GraftConfig {
  /** Physical bucket name; `undefined` lets CloudFormation generate a unique one. */
  readonly bucketName?: string;
  /** EC2 instance types for GPU training, e.g. `['g4dn.xlarge', 'g5.xlarge']`. */
  readonly gpuInstanceTypes: readonly string[];
  /** Run training on Spot capacity (cheaper; a reclaimed instance retries the job). */
  readonly spot: boolean;
  /** Upper bound on vCPUs the Batch compute environment may run at once (4 per xlarge instance). */
  readonly maxVcpus: number;
  /** Reserved concurrency of the extract Lambda (and maximum concurrency of its SQS event source). */
  readonly extractConcurrency: number;
  /** Model name the API serves when a request names none (`GRAFT_MODEL_NAME`). */
  readonly modelName: string;
  /** Training instances in isolated subnets behind interface endpoints instead of public subnets. */
  readonly isolatedTraining: boolean;
  /** E-mail address subscribed to the alarm topic (dead letters); `undefined` subscribes nobody. */
  readonly alarmEmail?: string;
}

/**
 * Defaults used when a parameter is not given.
 *
 * @example
 * ```ts
 * DEFAULT_CONFIG.gpuInstanceTypes; // ['g4dn.xlarge', 'g5.xlarge']
 * ```
 */
export const DEFAULT_CONFIG: GraftConfig = {
  gpuInstanceTypes: ['g4dn.xlarge', 'g5.xlarge'],
  spot: false,
  maxVcpus: 8,
  extractConcurrency: 10,
  modelName: 'default',
  isolatedTraining: false,
};

/**
 * The context keys (`cdk deploy -c graft:spot=true`) that map onto {@link GraftConfig}.
 *
 * @example
 * ```ts
 * app.node.tryGetContext(CONTEXT_KEYS.spot);
 * ```
 */
export const CONTEXT_KEYS = {
  bucketName: 'graft:bucketName',
  gpuInstanceTypes: 'graft:gpuInstanceTypes',
  spot: 'graft:spot',
  maxVcpus: 'graft:maxVcpus',
  extractConcurrency: 'graft:extractConcurrency',
  modelName: 'graft:modelName',
  isolatedTraining: 'graft:isolatedTraining',
  alarmEmail: 'graft:alarmEmail',
} as const satisfies Record<keyof GraftConfig, string>;

const BUCKET_NAME = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const GPU_INSTANCE_TYPE = /^(g|p)[0-9][a-z0-9-]*\.[0-9]*(nano|micro|small|medium|large|xlarge|metal)$/;
const MODEL_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;

function text(key: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new GraftConfigError(key, `expected a string, got ${typeof value}`);
  return value.trim();
}

function integer(key: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new GraftConfigError(key, `expected an integer in ${min}..${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

function boolean(key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'boolean') return value;
  const s = String(value).trim().toLowerCase();
  if (s === 'true' || s === '1' || s === 'yes') return true;
  if (s === 'false' || s === '0' || s === 'no') return false;
  throw new GraftConfigError(key, `expected true or false, got ${JSON.stringify(value)}`);
}

function instanceTypes(key: string, value: unknown, fallback: readonly string[]): readonly string[] {
  if (value === undefined || value === null || value === '') return fallback;
  const list = Array.isArray(value) ? value : String(value).split(',');
  const types = list.map((t) => String(t).trim()).filter((t) => t.length > 0);
  if (types.length === 0) throw new GraftConfigError(key, 'expected at least one instance type');
  for (const t of types) {
    if (!GPU_INSTANCE_TYPE.test(t)) {
      throw new GraftConfigError(key, `"${t}" is not a GPU instance type (g*/p* families, e.g. g4dn.xlarge)`);
    }
  }
  return types;
}

/**
 * Validates raw parameters (CDK context values, which arrive as strings from `-c key=value`, or typed
 * values from `cdk.json`) and fills in {@link DEFAULT_CONFIG}. Throws {@link GraftConfigError}.
 *
 * @example
 * ```ts
 * const config = parseGraftConfig({ 'graft:spot': 'true', 'graft:gpuInstanceTypes': 'g5.xlarge' });
 * config.spot; // true
 * ```
 */
export function parseGraftConfig(raw: Readonly<Record<string, unknown>>): GraftConfig {
  const bucketName = text(CONTEXT_KEYS.bucketName, raw[CONTEXT_KEYS.bucketName]);
  if (bucketName !== undefined && !BUCKET_NAME.test(bucketName)) {
    throw new GraftConfigError(CONTEXT_KEYS.bucketName, `"${bucketName}" is not a valid S3 bucket name`);
  }
  const modelName = text(CONTEXT_KEYS.modelName, raw[CONTEXT_KEYS.modelName]) ?? DEFAULT_CONFIG.modelName;
  if (!MODEL_NAME.test(modelName)) {
    throw new GraftConfigError(CONTEXT_KEYS.modelName, `"${modelName}" must match ${MODEL_NAME}`);
  }
  const gpuInstanceTypes = instanceTypes(
    CONTEXT_KEYS.gpuInstanceTypes,
    raw[CONTEXT_KEYS.gpuInstanceTypes],
    DEFAULT_CONFIG.gpuInstanceTypes,
  );
  const alarmEmail = text(CONTEXT_KEYS.alarmEmail, raw[CONTEXT_KEYS.alarmEmail]);
  if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) {
    throw new GraftConfigError(CONTEXT_KEYS.alarmEmail, `"${alarmEmail}" is not an e-mail address`);
  }
  return {
    ...(bucketName === undefined ? {} : { bucketName }),
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    gpuInstanceTypes,
    spot: boolean(CONTEXT_KEYS.spot, raw[CONTEXT_KEYS.spot], DEFAULT_CONFIG.spot),
    maxVcpus: integer(CONTEXT_KEYS.maxVcpus, raw[CONTEXT_KEYS.maxVcpus], 4, 4096, DEFAULT_CONFIG.maxVcpus),
    extractConcurrency: integer(
      CONTEXT_KEYS.extractConcurrency,
      raw[CONTEXT_KEYS.extractConcurrency],
      2,
      1000,
      DEFAULT_CONFIG.extractConcurrency,
    ),
    modelName,
    isolatedTraining: boolean(
      CONTEXT_KEYS.isolatedTraining,
      raw[CONTEXT_KEYS.isolatedTraining],
      DEFAULT_CONFIG.isolatedTraining,
    ),
  };
}
