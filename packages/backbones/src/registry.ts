import { disposeWeights, type Preprocessing } from '@graft/core';
import type { tf } from '@graft/runtime';
import {
  type BlobStore,
  InvalidNameError,
  keys,
  NotFoundError,
  PreconditionFailedError,
  readJson,
  sha256,
  writeJson,
} from '@graft/storage';
import { architectureName, toModelJson, weightBytes } from './artifacts.js';
import { BUNDLED_BACKBONE_ID, bundledManifest, bundledSha256 } from './bundled.js';
import { describeBackbone } from './describe.js';
import {
  BackboneExistsError,
  BackboneNotFoundError,
  BackboneTooLargeError,
  InvalidBackboneError,
} from './errors.js';
import { loadAndProbe } from './load-artifacts.js';
import {
  type BackboneManifest,
  type BackboneProvenance,
  checkSourceStats,
  parseManifest,
  type SourceStats,
} from './manifest.js';

/**
 * Default limit on a backbone's weights: 256 MiB (ResNet-50 in float32 is about 100 MB).
 *
 * @example
 * ```ts
 * new BackboneRegistry(store, { maxWeightBytes: DEFAULT_MAX_WEIGHT_BYTES / 2 });
 * ```
 */
export const DEFAULT_MAX_WEIGHT_BYTES = 256 * 1024 * 1024;

/**
 * Options of {@link BackboneRegistry}.
 *
 * @example
 * ```ts
 * const options: BackboneRegistryOptions = { maxWeightBytes: 64 * 1024 * 1024 };
 * ```
 */
export interface BackboneRegistryOptions {
  /** Larger weights are refused with `backbone_too_large` (default {@link DEFAULT_MAX_WEIGHT_BYTES}). */
  maxWeightBytes?: number;
  /** Clock for `createdAt` (tests). */
  now?: () => Date;
}

/**
 * What a model's own files do not say (or say wrongly) about it as a backbone.
 *
 * @example
 * ```ts
 * const hints: BackboneHints = { featuresLayer: 'features', preprocessing: { scale: 1 / 255, offset: 0 } };
 * ```
 */
export interface BackboneHints {
  /** Architecture name (default: the model's Graft metadata or Keras topology name). */
  name?: string;
  preprocessing?: Preprocessing;
  featuresLayer?: string;
  /** The last layer (by name) whose weights are untouched pretrained ones: the source retrained those above. */
  pretrainedUpToLayer?: string;
  /** The source trained every layer. */
  sourceTrainedAll?: boolean;
}

/**
 * A model to register: its tfjs artifacts and where it came from (what `sourceFromDir`, `sourceFromUrl` and
 * `sourceFromModelVersion` return).
 *
 * @example
 * ```ts
 * const source: SourceModel = await sourceFromDir('./my-model');
 * ```
 */
export interface SourceModel {
  artifacts: tf.io.ModelArtifacts;
  provenance: BackboneProvenance;
  hints?: BackboneHints;
  /** Recorded on the source's own training images (a version Graft developed carries them in its report). */
  sourceStats?: SourceStats;
}

/**
 * Input of {@link BackboneRegistry.add}.
 *
 * @example
 * ```ts
 * const input: AddBackboneInput = { id: 'digits-cnn', ...(await sourceFromDir('./digits-cnn')) };
 * ```
 */
export interface AddBackboneInput extends SourceModel {
  id: string;
}

/**
 * The registry of source models in the bucket: `backbones/<id>/{model.json, weights.bin, backbone.json}`, plus the
 * bundled MobileNetV2 (always listed, never stored). Backbones are immutable: new weights need a new id; adding
 * the same weights under the same id again returns the existing manifest. Manifests are cached per instance.
 *
 * @example
 * ```ts
 * const registry = new BackboneRegistry(store);
 * const { manifest, created } = await registry.add({ id: 'digits-cnn', ...(await sourceFromDir('./digits-cnn')) });
 * (await registry.list()).map((m) => m.id); // ['mobilenet_v2', 'digits-cnn']
 * ```
 */
export class BackboneRegistry {
  readonly maxWeightBytes: number;
  private readonly now: () => Date;
  private readonly manifests = new Map<string, BackboneManifest>();

  constructor(
    readonly store: BlobStore,
    options: BackboneRegistryOptions = {},
  ) {
    this.maxWeightBytes = options.maxWeightBytes ?? DEFAULT_MAX_WEIGHT_BYTES;
    this.now = options.now ?? (() => new Date());
  }

  /** Every backbone: the bundled one first, then the registered ones by id. */
  async list(): Promise<BackboneManifest[]> {
    const ids: string[] = [];
    for await (const info of this.store.list(keys.backbonesPrefix())) {
      const [, id, file] = info.key.split('/');
      if (id && file === 'backbone.json') ids.push(id);
    }
    const registered = await Promise.all(ids.sort().map((id) => this.get(id)));
    return [await bundledManifest(), ...registered];
  }

  /** One backbone's manifest; {@link BackboneNotFoundError} when no backbone has that id. */
  async get(id: string): Promise<BackboneManifest> {
    const found = await this.find(id);
    if (!found) throw new BackboneNotFoundError(id);
    return found;
  }

  /** SHA-256 of a backbone's weights (for the bundled one without building its manifest). */
  async weightsSha256(id: string): Promise<string> {
    return id === BUNDLED_BACKBONE_ID ? bundledSha256() : (await this.get(id)).weightsSha256;
  }

  /**
   * Registers a backbone after loading it with `@graft/core` (a tfjs Keras LayersModel image backbone, else
   * `invalid_backbone`) at its own size and every size it can be rebuilt for. Writes `weights.bin` (never over
   * other weights), `model.json`, then `backbone.json` (conditionally: it publishes the backbone). Returns the
   * manifest and whether this call created it.
   */
  async add(input: AddBackboneInput): Promise<{ manifest: BackboneManifest; created: boolean }> {
    const { id, artifacts, provenance, hints = {} } = input;
    if (id !== BUNDLED_BACKBONE_ID) keys.backbonePrefix(id); // an invalid id is an InvalidNameError
    if (!artifacts || typeof artifacts !== 'object')
      throw new InvalidBackboneError('no model artifacts given');
    const weights = weightBytes(artifacts);
    if (weights.byteLength > this.maxWeightBytes)
      throw new BackboneTooLargeError(weights.byteLength, this.maxWeightBytes);
    const sha = await sha256(weights);
    const existing = await this.find(id);
    if (existing) return { manifest: this.same(existing, sha), created: false };

    const sourceStats = input.sourceStats === undefined ? undefined : checkSourceStats(input.sourceStats);
    const manifest = await this.describe(artifacts, {
      id,
      name: hints.name ?? architectureName(artifacts),
      createdAt: this.now().toISOString(),
      provenance,
      weightsSha256: sha,
      weightsBytes: weights.byteLength,
      hints,
      sourceStats,
    });
    await this.claimWeights(id, weights, sha);
    await writeJson(this.store, keys.backboneFile(id, 'model.json'), toModelJson(artifacts));
    try {
      await writeJson(this.store, keys.backboneFile(id, 'backbone.json'), manifest, { ifNoneMatch: true });
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      return { manifest: this.same(await this.get(id), sha), created: false }; // a concurrent add won
    }
    this.manifests.set(id, manifest);
    return { manifest, created: true };
  }

  private async find(id: string): Promise<BackboneManifest | undefined> {
    if (id === BUNDLED_BACKBONE_ID) return bundledManifest();
    const cached = this.manifests.get(id);
    if (cached) return cached;
    let key: string;
    try {
      key = keys.backboneFile(id, 'backbone.json');
    } catch (error) {
      if (error instanceof InvalidNameError) return undefined;
      throw error;
    }
    let manifest: BackboneManifest;
    try {
      manifest = parseManifest(await readJson(this.store, key), key);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
    if (manifest.id !== id) throw new InvalidBackboneError(`${key} names backbone '${manifest.id}'`);
    this.manifests.set(id, manifest);
    return manifest;
  }

  /** The existing manifest when it holds the same weights; {@link BackboneExistsError} otherwise. */
  private same(existing: BackboneManifest, sha: string): BackboneManifest {
    if (existing.weightsSha256 !== sha) throw new BackboneExistsError(existing.id);
    return existing;
  }

  /** Writes weights.bin unless it exists; existing bytes must be the same weights (a concurrent or crashed add). */
  private async claimWeights(id: string, weights: Uint8Array, sha: string): Promise<void> {
    const key = keys.backboneFile(id, 'weights.bin');
    try {
      await this.store.put(key, weights, { contentType: 'application/octet-stream', ifNoneMatch: true });
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      if ((await sha256(await this.store.get(key))) !== sha) throw new BackboneExistsError(id);
    }
  }

  private async describe(
    artifacts: tf.io.ModelArtifacts,
    input: Omit<Parameters<typeof describeBackbone>[1], 'inputSizes'> & { hints: BackboneHints },
  ): Promise<BackboneManifest> {
    const { hints, ...rest } = input;
    const overrides = {
      name: input.id,
      preprocessing: hints.preprocessing,
      featuresLayer: hints.featuresLayer,
    };
    const { backbone, inputSizes } = await loadAndProbe(artifacts, overrides);
    try {
      if (hints.pretrainedUpToLayer !== undefined) {
        const index = backbone.model.layers.findIndex((l) => l.name === hints.pretrainedUpToLayer);
        if (index < 0)
          throw new InvalidBackboneError(`layer '${hints.pretrainedUpToLayer}' is not in the backbone`);
        backbone.pretrainedUpTo = index;
      }
      return describeBackbone(backbone, { ...rest, inputSizes, sourceTrainedAll: hints.sourceTrainedAll });
    } finally {
      disposeWeights([backbone.model]);
    }
  }
}
