import type { tf } from '@graft/runtime';
import type { BlobStore } from './blob-store.js';
import { CorruptDataError, InvalidArgumentError, UnsafeWeightPathError } from './errors.js';
import { readJson } from './json-blob.js';
import { assertSafeKey } from './key-rules.js';

type ModelArtifacts = tf.io.ModelArtifacts;
type ModelJSON = tf.io.ModelJSON;

/** tfjs's io helpers, imported when a model is saved or loaded: importing the store does not load tfjs. */
async function tfIo(): Promise<typeof tf.io> {
  return (await import('@graft/runtime')).tf.io;
}

/** Options of {@link storeIOHandler}. */
export interface StoreIOHandlerOptions {
  /** Write with `ifNoneMatch` (never overwrite an existing model at the prefix). */
  immutable?: boolean;
}

/**
 * Whether a weight path from a `model.json` is safe to resolve under a prefix: relative, no `..`
 * or `.` segments, no backslashes, no URL scheme (`https:`, `file:`, `s3:`...), not empty.
 *
 * @example
 * ```ts
 * isSafeWeightPath('group1-shard1of1.bin'); // true
 * isSafeWeightPath('../other/weights.bin'); // false
 * ```
 */
export function isSafeWeightPath(path: string): boolean {
  if (typeof path !== 'string' || path === '') return false;
  if (path.startsWith('/') || path.includes('\\')) return false;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)) return false;
  return path.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/**
 * A `tf.io.IOHandler` that saves a model as `<prefix>model.json` + `<prefix>weights.bin` in a
 * {@link BlobStore} and loads it back (any number of weight shards listed in model.json are read in
 * order; unsafe shard paths are refused with `UnsafeWeightPathError`). Weights are written before
 * model.json, so a reader never sees a model.json whose weights are missing.
 *
 * @example
 * ```ts
 * await model.save(storeIOHandler(store, 'models/pets/versions/3/'));
 * const loaded = await tf.loadLayersModel(storeIOHandler(store, 'models/pets/versions/3/'));
 * ```
 */
export function storeIOHandler(
  store: BlobStore,
  prefix: string,
  options: StoreIOHandlerOptions = {},
): tf.io.IOHandler {
  if (prefix !== '' && !prefix.endsWith('/'))
    throw new InvalidArgumentError(`prefix must end with "/": ${prefix}`);
  if (prefix !== '') assertSafeKey(prefix.slice(0, -1));
  const modelKey = `${prefix}model.json`;
  const weightsKey = `${prefix}weights.bin`;
  return {
    async save(artifacts: ModelArtifacts): Promise<tf.io.SaveResult> {
      const topology = artifacts.modelTopology;
      if (topology === undefined || topology instanceof ArrayBuffer) {
        throw new InvalidArgumentError('storeIOHandler saves JSON model topologies only');
      }
      const io = await tfIo();
      const weights = new Uint8Array(
        io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)),
      );
      const modelJson: ModelJSON = {
        modelTopology: topology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.signature) modelJson.signature = artifacts.signature;
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      if (artifacts.modelInitializer) modelJson.modelInitializer = artifacts.modelInitializer;
      if (artifacts.initializerSignature) modelJson.initializerSignature = artifacts.initializerSignature;
      const ifNoneMatch = options.immutable ?? false;
      await store.put(weightsKey, weights, { contentType: 'application/octet-stream', ifNoneMatch });
      await store.put(modelKey, JSON.stringify(modelJson), { contentType: 'application/json', ifNoneMatch });
      return { modelArtifactsInfo: io.getModelArtifactsInfoForJSON(artifacts) };
    },

    async load(): Promise<ModelArtifacts> {
      const modelJson = await readJson<ModelJSON>(store, modelKey);
      if (!modelJson || typeof modelJson !== 'object' || modelJson.modelTopology === undefined) {
        throw new CorruptDataError(`${modelKey} has no modelTopology`);
      }
      const io = await tfIo();
      return io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const path of group.paths) {
            if (!isSafeWeightPath(path)) throw new UnsafeWeightPathError(path);
          }
        }
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const path of group.paths) {
            const bytes = await store.get(prefix + path);
            buffers.push(bytes.slice().buffer as ArrayBuffer);
          }
        }
        return [specs, io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}
