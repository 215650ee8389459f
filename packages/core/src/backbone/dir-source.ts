import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { tf } from '@graft/runtime';
import { InvalidModelError, SourceNotAllowedError } from './errors.js';
import { parseModelJson, toArtifacts } from './model-json.js';

/**
 * Reads a tfjs LayersModel directory (`model.json` + weight shards) into model artifacts. Weight paths are
 * validated and must stay inside the directory.
 *
 * @example
 * ```ts
 * const artifacts = await readModelDir('/models/mnist-cnn');
 * const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
 * ```
 */
export async function readModelDir(dir: string): Promise<tf.io.ModelArtifacts> {
  const root = path.resolve(dir);
  let text: string;
  try {
    text = await readFile(path.join(root, 'model.json'), 'utf8');
  } catch (cause) {
    throw new InvalidModelError(`cannot read ${path.join(root, 'model.json')}`, { cause });
  }
  const json = parseModelJson(text);
  const shards: ArrayBuffer[] = [];
  for (const p of json.weightsManifest.flatMap((g) => g.paths)) {
    const file = path.resolve(root, p);
    const rel = path.relative(root, file);
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new SourceNotAllowedError(`weight path '${p}' escapes ${root}`);
    }
    try {
      const buf = await readFile(file);
      shards.push(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
    } catch (cause) {
      throw new InvalidModelError(`cannot read weight shard ${file}`, { cause });
    }
  }
  return toArtifacts(json, shards);
}
