import { tf } from '@graft/runtime';
import { InvalidBundleError } from '../errors.js';
import type { Bundle } from './create-bundle.js';
import { type GraftMeta, parseGraftMeta } from './meta.js';

/**
 * A bundle as the three files the model registry stores.
 *
 * @example
 * ```ts
 * const files: BundleFiles = await bundleToFiles(bundle); // { modelJson, weights, graft }
 * ```
 */
export interface BundleFiles {
  /** tfjs `model.json` (weights manifest pointing at `weights.bin`; `userDefinedMetadata.graft` = graft.json). */
  modelJson: string;
  weights: Uint8Array;
  /** `graft.json`. */
  graft: string;
  /** `ood.bin`, the out-of-distribution detector (`encodeOod`); absent in bundles made before it existed. */
  ood?: Uint8Array;
}

/**
 * Name of the single weights file referenced by `model.json`.
 *
 * @example
 * ```ts
 * JSON.parse(files.modelJson).weightsManifest[0].paths; // [WEIGHTS_FILE]
 * ```
 */
export const WEIGHTS_FILE = 'weights.bin';

/**
 * Captures a model's artifacts in memory (topology, weight specs, weight data).
 *
 * @example
 * ```ts
 * const artifacts = await modelArtifacts(bundle.model);
 * ```
 */
export async function modelArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return captured!;
}

/**
 * Serialises a bundle to the files of the model registry: `model.json` (with graft.json also embedded as
 * `userDefinedMetadata.graft`), `weights.bin` and `graft.json`.
 *
 * @example
 * ```ts
 * const { modelJson, weights, graft } = await bundleToFiles(bundle);
 * ```
 */
export async function bundleToFiles(bundle: Bundle): Promise<BundleFiles> {
  const a = await modelArtifacts(bundle.model);
  const data = a.weightData ? tf.io.CompositeArrayBuffer.join(a.weightData) : new ArrayBuffer(0);
  const modelJson = {
    format: 'layers-model',
    generatedBy: a.generatedBy,
    convertedBy: 'graft',
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: a.weightSpecs ?? [] }],
    userDefinedMetadata: { graft: bundle.meta },
  };
  return {
    modelJson: JSON.stringify(modelJson),
    weights: new Uint8Array(data),
    graft: JSON.stringify(bundle.meta, null, 2),
  };
}

/**
 * Parses the registry files back into in-memory model artifacts and the bundle metadata (graft.json wins over
 * the copy embedded in model.json).
 *
 * @example
 * ```ts
 * const { artifacts, meta } = parseBundleFiles(files);
 * ```
 */
export function parseBundleFiles(files: Partial<BundleFiles>): {
  artifacts: tf.io.ModelArtifacts;
  meta: GraftMeta;
} {
  if (typeof files.modelJson !== 'string' || !(files.weights instanceof Uint8Array))
    throw new InvalidBundleError('a bundle needs model.json and weights.bin');
  let json: {
    modelTopology?: unknown;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    userDefinedMetadata?: { graft?: unknown };
  };
  try {
    json = JSON.parse(files.modelJson);
  } catch {
    throw new InvalidBundleError('model.json is not JSON');
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest))
    throw new InvalidBundleError('model.json needs modelTopology and weightsManifest');
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const w = files.weights;
  // The bytes as they are when they fill their buffer (as a read from the store does): no second copy of the weights.
  const whole = w.byteOffset === 0 && w.byteLength === w.buffer.byteLength && w.buffer instanceof ArrayBuffer;
  const weightData = whole
    ? (w.buffer as ArrayBuffer)
    : (w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer);
  let graft: unknown = json.userDefinedMetadata?.graft;
  if (typeof files.graft === 'string') {
    try {
      graft = JSON.parse(files.graft);
    } catch {
      throw new InvalidBundleError('graft.json is not JSON');
    }
  }
  const meta = parseGraftMeta(graft);
  return {
    artifacts: {
      modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs,
      weightData,
      userDefinedMetadata: { graft: meta },
    },
    meta,
  };
}

/**
 * Rebuilds a {@link Bundle} (model + metadata) from registry files.
 *
 * @example
 * ```ts
 * const bundle = await bundleFromFiles(await registry.getFiles('pets', 3));
 * ```
 */
export async function bundleFromFiles(files: Partial<BundleFiles>): Promise<Bundle> {
  const { artifacts, meta } = parseBundleFiles(files);
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  return { model, meta };
}
