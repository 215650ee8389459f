/**
 * The {@link ModelSource} port over the real model registry (`@graft/storage`) and bundle loader (`@graft/core`).
 */
import { loadBundle } from '@graft/core';
import { hasCode } from '@graft/errors';
import { initBackend } from '@graft/runtime';
import { type BlobStore, ModelRegistry } from '@graft/storage';
import { bundleModel } from './bundle-model.js';
import { ModelNotFoundError, VersionNotFoundError } from './errors.js';
import type { LoadedModel, ModelInfo, ModelSource, ModelSummary, ModelVersionInfo } from './ports.js';

const _text = new TextDecoder();

/** What the API shows of a version's `graft.json`. */
interface GraftSummary {
  createdAt?: string;
  strategy?: string;
  labels?: string[];
  metrics?: Record<string, unknown>;
}

/**
 * Options of {@link RegistryModelSource}.
 *
 * @example
 * ```ts
 * // workerd: the wasm backend is started from an imported module, not from files on disk
 * new RegistryModelSource(store, { initBackend: () => initEdgeBackend(tfjsWasm) });
 * ```
 */
export interface RegistryModelSourceOptions {
  /** Starts the tfjs backend before the first load (default `@graft/runtime`'s `initBackend()`). */
  initBackend?: () => Promise<unknown>;
  /** Most concurrent predictions of a version run as one batch (default 16; 1 = no batching). */
  maxBatchSize?: number;
  /**
   * Builds the served model from a version's files instead of loading it on this thread (the Node entrypoints pass
   * `startPoolModel` from `inference-pool/pool-model.ts` to run inference on worker threads).
   */
  loadModel?: (files: VersionFiles) => Promise<LoadedModel>;
}

/**
 * The files of one model version, as the registry reads them.
 *
 * @example
 * ```ts
 * const files: VersionFiles = await registry.readBundleFiles('digits', 3);
 * ```
 */
export type VersionFiles = Awaited<ReturnType<ModelRegistry['readBundleFiles']>>;

/**
 * Models from the registry in the store: `models/<name>/current.json` and the immutable version files.
 *
 * @example
 * ```ts
 * const models = new RegistryModelSource(new S3BlobStore(s3, 'graft'));
 * const app = createApp({ models, jobs, runner, token });
 * ```
 */
export class RegistryModelSource implements ModelSource {
  readonly registry: ModelRegistry;
  private readonly initBackend: () => Promise<unknown>;
  private readonly loadModel?: (files: VersionFiles) => Promise<LoadedModel>;
  private readonly maxBatchSize?: number;

  constructor(store: BlobStore | ModelRegistry, options: RegistryModelSourceOptions = {}) {
    this.registry = store instanceof ModelRegistry ? store : new ModelRegistry(store);
    this.initBackend = options.initBackend ?? (() => initBackend());
    this.loadModel = options.loadModel;
    this.maxBatchSize = options.maxBatchSize;
  }

  async getCurrent(name: string): Promise<{ version: number } | undefined> {
    const pointer = await this.registry.getCurrent(name);
    return pointer ? { version: pointer.version } : undefined;
  }

  async loadVersion(name: string, version: number): Promise<LoadedModel> {
    if (!this.loadModel) await this.initBackend();
    const files = await this.registry.readBundleFiles(name, version).catch((err: unknown) => {
      if (hasCode(err, 'not_found')) throw new VersionNotFoundError(name, version);
      throw err;
    });
    if (this.loadModel) return this.loadModel(files);
    const bundle = await loadBundle(files);
    return bundleModel(bundle, { maxBatchSize: this.maxBatchSize });
  }

  async listModels(): Promise<ModelSummary[]> {
    const names = await this.registry.listModels();
    return Promise.all(
      names.map(async (name) => {
        const [versions, current] = await Promise.all([
          this.registry.listVersions(name),
          this.registry.getCurrent(name),
        ]);
        return { name, servingVersion: current?.version, latestVersion: versions.at(-1) };
      }),
    );
  }

  async getModel(name: string): Promise<ModelInfo | undefined> {
    const [numbers, current] = await Promise.all([
      this.registry.listVersions(name),
      this.registry.getCurrent(name),
    ]);
    if (numbers.length === 0 && !current) return undefined;
    const versions = await Promise.all(
      numbers.map(async (version): Promise<ModelVersionInfo> => {
        const graft = await this.registry.readJson<GraftSummary>(name, version, 'graft.json');
        return {
          version,
          createdAt: graft.createdAt,
          strategy: graft.strategy,
          labels: graft.labels,
          metrics: graft.metrics,
        };
      }),
    );
    return { name, servingVersion: current?.version, versions };
  }

  async promote(name: string, version: number): Promise<void> {
    if ((await this.registry.listVersions(name)).length === 0) throw new ModelNotFoundError(name);
    try {
      await this.registry.promote(name, version);
    } catch (err) {
      if (hasCode(err, 'not_found')) throw new VersionNotFoundError(name, version);
      throw err;
    }
  }
}
