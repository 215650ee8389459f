import { BackboneRegistry } from '@graft/backbones';
import { type BlobStore, FeatureStore, keys } from '@graft/storage';
import { createExtractorCache, type ExtractConfig } from './extractor.js';
import type { ProcessDeps } from './process-object.js';

/**
 * Wires the extract function's collaborators over one store: feature store, extractor cache (one trunk per
 * registered backbone/size/cut for the life of the container, backbones from the store's `backbones/`) and a data
 * set config cache (60 s).
 *
 * @example
 * ```ts
 * const handler = createExtractHandler(createExtractDeps(new S3BlobStore(new S3Client({}), bucket)));
 * ```
 */
export function createExtractDeps(store: BlobStore, options: { configTtlMs?: number } = {}): ProcessDeps {
  const ttl = options.configTtlMs ?? 60_000;
  const configs = new Map<string, { at: number; value: Promise<ExtractConfig & { labels?: string[] }> }>();
  return {
    store,
    features: new FeatureStore(store),
    extractors: createExtractorCache(new BackboneRegistry(store)),
    datasetConfig(dataset) {
      const cached = configs.get(dataset);
      if (cached && Date.now() - cached.at < ttl) return cached.value;
      const value = store
        .get(keys.datasetConfig(dataset))
        .then((bytes) => JSON.parse(new TextDecoder().decode(bytes)));
      value.catch(() => configs.delete(dataset));
      configs.set(dataset, { at: Date.now(), value });
      return value;
    },
  };
}
