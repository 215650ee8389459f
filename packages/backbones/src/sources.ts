import path from 'node:path';
import { fetchModelUrl, readModelDir } from '@graft/core';
import { DEFAULT_MAX_WEIGHT_BYTES, type SourceModel } from './registry.js';
import { sourceError } from './source-error.js';

/** Room for model.json on top of the weights when downloading. */
const MODEL_JSON_ALLOWANCE = 16 * 1024 * 1024;

/**
 * A tfjs layers-model folder (`model.json` + weight shards) as a model to register (provenance `folder`).
 *
 * @example
 * ```ts
 * await registry.add({ id: 'digits-cnn', ...(await sourceFromDir('./digits-cnn')) });
 * ```
 */
export async function sourceFromDir(dir: string): Promise<SourceModel> {
  const artifacts = await readModelDir(dir).catch((cause: unknown) => {
    throw sourceError(cause, DEFAULT_MAX_WEIGHT_BYTES);
  });
  return { artifacts, provenance: { kind: 'folder', path: path.resolve(dir) } };
}

/**
 * A tfjs layers model at an allow-listed URL (`@graft/core`'s `fetchModelUrl`: origins in `allow` only, no
 * redirects, no internal addresses unless listed) as a model to register (provenance `url`). A URL outside the
 * list is `source_not_allowed`; a download beyond `maxWeightBytes` (plus room for model.json) is
 * `backbone_too_large`.
 *
 * @example
 * ```ts
 * const source = await sourceFromUrl('https://models.example.com/cnn/model.json', { allow: ['https://models.example.com'] });
 * ```
 */
export async function sourceFromUrl(
  url: string,
  options: { allow: string[]; maxWeightBytes?: number; lookup?: (hostname: string) => Promise<string[]> },
): Promise<SourceModel> {
  const limit = options.maxWeightBytes ?? DEFAULT_MAX_WEIGHT_BYTES;
  const artifacts = await fetchModelUrl(url, {
    allow: options.allow,
    lookup: options.lookup,
    maxBytes: limit + MODEL_JSON_ALLOWANCE,
  }).catch((cause: unknown) => {
    throw sourceError(cause, limit);
  });
  return { artifacts, provenance: { kind: 'url', url } };
}
