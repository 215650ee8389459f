import { BackboneRegistry } from '@graft/backbones';
import type { BlobStore } from '@graft/storage';
import { createApp } from './app.js';
import type { AppDeps } from './app-env.js';
import { RegistryModelSource } from './model-source.js';
import { StoreJobs } from './store-jobs.js';

/** What {@link createStoreApp} needs besides the bucket; any {@link AppDeps} field may still be overridden. */
export type StoreAppDeps = Omit<AppDeps, 'models' | 'jobs' | 'store'> &
  Partial<AppDeps> & {
    /** Limit on a registered backbone's weights (default `@graft/backbones`' 256 MiB). */
    backboneMaxBytes?: number;
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
  const { backboneMaxBytes, ...rest } = deps;
  return createApp({
    models: new RegistryModelSource(store),
    jobs: new StoreJobs(store),
    store,
    backbones: new BackboneRegistry(store, { maxWeightBytes: backboneMaxBytes }),
    ...rest,
  });
}
