import type { BlobStore } from '@graft/storage';
import { createApp } from './app.js';
import type { AppDeps } from './app-env.js';
import type { ModelLoadEvent } from './model-load-event.js';
import { RegistryModelSource, type RegistryModelSourceOptions } from './model-source.js';
import { StoreJobs } from './store-jobs.js';

/** What {@link createStoreApp} needs besides the bucket; any {@link AppDeps} field may still be overridden. */
export type StoreAppDeps = Omit<AppDeps, 'models' | 'jobs' | 'store'> &
  Partial<AppDeps> & {
    /** Limit on a registered backbone's weights (default `@graft/backbones`' 256 MiB). */
    backboneMaxBytes?: number;
    /** Told about every model version the API loads, with how long each step took. */
    onModelLoad?(event: ModelLoadEvent): void;
    /** Builds served models off this thread (`startPoolModel`; with `inferenceThreads`); default: on this thread. */
    loadModel?: RegistryModelSourceOptions['loadModel'];
  };

/**
 * The API over one bucket: models from its registry, training jobs from its job records, backbones from its
 * `backbones/`, `{ s3Key }` predictions read from it. Shared by the cloud entrypoints (`buildAppFromEnv`) and the
 * local runtime.
 *
 * @example
 * ```ts
 * const app = createStoreApp(new S3BlobStore(s3, 'graft'), { runner, token });
 * ```
 */
export function createStoreApp(store: BlobStore, deps: StoreAppDeps): ReturnType<typeof createApp> {
  const { backboneMaxBytes, onModelLoad, loadModel, ...rest } = deps;
  return createApp({
    models: new RegistryModelSource(store, {
      onLoad: onModelLoad,
      maxBatchSize: deps.maxBatchSize,
      loadModel,
    }),
    jobs: new StoreJobs(store),
    store,
    // made on the first backbone request: the registry's model code is no part of a serving start
    backbones: once(
      async () =>
        new (await import('@graft/backbones')).BackboneRegistry(store, { maxWeightBytes: backboneMaxBytes }),
    ),
    ...rest,
  });
}

/** `make` run on the first call only (a failure is retried on the next). */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make().catch((err: unknown) => {
      made = undefined;
      throw err;
    });
    return made;
  };
}
