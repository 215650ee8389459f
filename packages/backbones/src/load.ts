import { type Backbone, UnsupportedInputSizeError } from '@graft/core';
import { type BlobStore, keys, sha256, storeIOHandler } from '@graft/storage';
import { weightBytes } from './artifacts.js';
import { cachedBackbone } from './backbone-cache.js';
import { BUNDLED_BACKBONE_ID, BUNDLED_DEFAULT_INPUT_SIZE, loadBundledBackbone } from './bundled.js';
import { InvalidBackboneError } from './errors.js';
import { loadArtifacts } from './load-artifacts.js';
import type { BackboneManifest } from './manifest.js';
import { BackboneRegistry } from './registry.js';

/**
 * Options of {@link loadBackbone}.
 *
 * @example
 * ```ts
 * const options: LoadRegisteredOptions = { inputSize: 128 };
 * ```
 */
export interface LoadRegisteredOptions {
  /** One of the manifest's `inputSizes` (default: its `defaultInputSize`). */
  inputSize?: number;
  /** A copy the caller owns and disposes (`disposeWeights([backbone.model])`), e.g. to train it; default: shared. */
  owned?: boolean;
}

const registries = new WeakMap<BlobStore, BackboneRegistry>();

function registryOf(from: BlobStore | BackboneRegistry): BackboneRegistry {
  if (from instanceof BackboneRegistry) return from;
  let registry = registries.get(from);
  if (!registry) {
    registry = new BackboneRegistry(from);
    registries.set(from, registry);
  }
  return registry;
}

/**
 * Loads a backbone by registry id as a `@graft/core` `Backbone`: `mobilenet_v2` with core's bundled loader, any
 * other from `backbones/<id>/` through `storeIOHandler` (its weights checked against the manifest's SHA-256). Its
 * `name` is the registry id, so its feature keys are `features/<id>-<size>/…`. Unless `owned`, the backbone is
 * cached for the life of the process by id, weights SHA-256 and input size (the extract Lambda loads it once per
 * container) and shared by every caller: never dispose it or change its layers (see `disposeBackbones`).
 *
 * @example
 * ```ts
 * const backbone = await loadBackbone(store, 'digits-cnn', { inputSize: 96 });
 * backbone.id; // 'digits-cnn-96'
 * ```
 */
export async function loadBackbone(
  from: BlobStore | BackboneRegistry,
  id: string,
  options: LoadRegisteredOptions = {},
): Promise<Backbone> {
  // The bundled backbone checks its sizes itself: no need to build its manifest (a load at 96 px).
  if (id === BUNDLED_BACKBONE_ID)
    return loadBundledBackbone(options.inputSize ?? BUNDLED_DEFAULT_INPUT_SIZE, options);
  const registry = registryOf(from);
  const manifest = await registry.get(id);
  const inputSize = options.inputSize ?? manifest.defaultInputSize;
  if (!manifest.inputSizes.includes(inputSize)) {
    throw new UnsupportedInputSizeError(
      inputSize,
      `backbone '${id}' supports ${manifest.inputSizes.join(', ')}`,
    );
  }
  const build = () => loadStored(registry.store, manifest, inputSize);
  if (options.owned) return build();
  return cachedBackbone({ id, sha256: manifest.weightsSha256, inputSize }, build);
}

async function loadStored(
  store: BlobStore,
  manifest: BackboneManifest,
  inputSize: number,
): Promise<Backbone> {
  const artifacts = await storeIOHandler(store, keys.backbonePrefix(manifest.id)).load!();
  if ((await sha256(weightBytes(artifacts))) !== manifest.weightsSha256) {
    throw new InvalidBackboneError(
      `the weights of backbone '${manifest.id}' do not match its manifest's SHA-256`,
    );
  }
  const overrides = {
    name: manifest.id,
    featuresLayer: manifest.featuresLayer,
    preprocessing: manifest.preprocessing,
    pretrainedUpTo: manifest.pretrainedUpTo ?? undefined,
  };
  return loadArtifacts(artifacts, overrides, inputSize);
}
