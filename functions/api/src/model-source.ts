/**
 * The {@link ModelSource} port over the real model registry (`@graft/storage`) and bundle loader (`@graft/core`).
 * tfjs, the bundle loader and the decoders are imported on the first load, not with the API: a process serves
 * routes (and starts listening) before any model is needed.
 */
import { hasCode } from '@graft/errors';
import { type BlobStore, ModelRegistry } from '@graft/storage';
import { ModelNotFoundError, VersionNotFoundError } from './errors.js';
import { type ModelLoadEvent, stepTimer } from './model-load-event.js';
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
  /** Told about every version loaded (and warmed up), with how long each step took. */
  onLoad?(event: ModelLoadEvent): void;
  /** Most concurrent predictions of a version run as one batch (default 8; 1 = no batching). */
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
  private readonly onLoad?: (event: ModelLoadEvent) => void;
  private readonly loadModel?: (files: VersionFiles) => Promise<LoadedModel>;
  private readonly maxBatchSize?: number;

  constructor(store: BlobStore | ModelRegistry, options: RegistryModelSourceOptions = {}) {
    this.registry = store instanceof ModelRegistry ? store : new ModelRegistry(store);
    this.initBackend = options.initBackend ?? (async () => (await import('@graft/runtime')).initBackend());
    this.onLoad = options.onLoad;
    this.loadModel = options.loadModel;
    this.maxBatchSize = options.maxBatchSize;
  }

  async getCurrent(name: string): Promise<{ version: number } | undefined> {
    const pointer = await this.registry.getCurrent(name);
    return pointer ? { version: pointer.version } : undefined;
  }

  /**
   * Loads a version ready to serve: the backend starts and the loader's modules are imported while the files are
   * read; the model is warmed up at its input size before it is returned (its `warmup()` then has nothing left to do).
   */
  async loadVersion(name: string, version: number): Promise<LoadedModel> {
    const timer = stepTimer();
    const readFiles = () =>
      timer.step(
        'read',
        this.registry.readBundleFiles(name, version).catch((err: unknown) => {
          if (hasCode(err, 'not_found')) throw new VersionNotFoundError(name, version);
          throw err;
        }),
      );
    if (this.loadModel) {
      // inference threads load (and warm up) their own copies; this thread needs neither tfjs nor the loader
      const model = await timer.step('build', this.loadModel(await readFiles()));
      this.onLoad?.({ name, version, ...timer.done() });
      return model;
    }
    const [, files, [{ openBundle, bundleFromFiles, decodeOod }, { bundleModel }]] = await Promise.all([
      timer.step('backend', this.initBackend()),
      readFiles(),
      timer.step('imports', Promise.all([import('@graft/core/serving'), import('./bundle-model.js')])),
    ]);
    const bundle = await timer.step('build', bundleFromFiles(files));
    const model = bundleModel(
      await timer.step('open', () => {
        try {
          return openBundle(bundle, files.ood ? decodeOod(files.ood) : undefined);
        } catch (err) {
          bundle.model.dispose();
          throw err;
        }
      }),
      { maxBatchSize: this.maxBatchSize },
    );
    try {
      await timer.step('warmup', () => model.warmup?.());
    } catch (err) {
      model.dispose();
      throw err;
    }
    this.onLoad?.({ name, version, ...timer.done() });
    return model;
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
