import type { tf } from '@graft/runtime';
import { InvalidModelError, SourceNotAllowedError } from './errors.js';

/** The parts of a tfjs `model.json` Graft reads. */
export interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
  userDefinedMetadata?: Record<string, unknown>;
  trainingConfig?: tf.io.TrainingConfig;
}

/**
 * Parses and validates a tfjs `model.json` (LayersModel format).
 *
 * @example
 * ```ts
 * const json = parseModelJson(await readFile('model.json', 'utf8'));
 * ```
 */
export function parseModelJson(text: string): ModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InvalidModelError('model.json is not valid JSON', { cause });
  }
  const m = json as Partial<ModelJson>;
  if (!m || typeof m !== 'object' || !m.modelTopology || typeof m.modelTopology !== 'object') {
    throw new InvalidModelError('model.json has no modelTopology');
  }
  if (!Array.isArray(m.weightsManifest)) throw new InvalidModelError('model.json has no weightsManifest');
  for (const group of m.weightsManifest) {
    if (!group || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new InvalidModelError('model.json has a malformed weightsManifest group');
    }
    for (const p of group.paths) assertSafeWeightPath(p);
  }
  return m as ModelJson;
}

/**
 * Refuses weight paths that could escape the model's directory or origin: empty, absolute, with a scheme,
 * protocol-relative, with backslashes, NUL, query/fragment, encoded slashes, or with a '..' segment (also
 * percent-encoded: `.%2e`, `%2e.`, `%2e%2e`).
 *
 * @example
 * ```ts
 * assertSafeWeightPath('group1-shard1of1.bin'); // ok
 * assertSafeWeightPath('../secrets'); // throws SourceNotAllowedError
 * ```
 */
export function assertSafeWeightPath(p: unknown): asserts p is string {
  const bad = (why: string) => new SourceNotAllowedError(`weight path ${JSON.stringify(p)} refused: ${why}`);
  if (typeof p !== 'string' || p.length === 0) throw bad('not a non-empty string');
  if (/^[a-z][a-z0-9+.-]*:/i.test(p)) throw bad('has a scheme');
  if (p.startsWith('/') || p.startsWith('\\')) throw bad('is absolute');
  if (/[\\\0?#]/.test(p)) throw bad('has a backslash, NUL, query or fragment');
  // URL resolution treats '.%2e', '%2e.' and '%2e%2e' as '..' (and '%2e' as '.'); an encoded '/' or '\\' may be
  // decoded by the server behind the URL.
  if (/%2f|%5c/i.test(p)) throw bad('has an encoded slash or backslash');
  if (p.split('/').some((seg) => seg === '' || /^(\.|%2e){1,2}$/i.test(seg))) {
    throw bad("has a '..', '.' or empty segment");
  }
}

/**
 * Builds tfjs model artifacts from a parsed model.json and its (concatenated, in manifest order) shards.
 *
 * @example
 * ```ts
 * const artifacts = toArtifacts(json, shards);
 * ```
 */
export function toArtifacts(json: ModelJson, shards: ArrayBuffer[]): tf.io.ModelArtifacts {
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: shards.length === 1 ? shards[0] : shards,
    format: json.format,
    userDefinedMetadata: json.userDefinedMetadata as Record<string, object> | undefined,
    trainingConfig: json.trainingConfig,
  };
}
