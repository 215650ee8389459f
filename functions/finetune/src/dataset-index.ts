import { type DatasetConfig, splitFor } from '@graft/datasets';
import { type BlobStore, keys } from '@graft/storage';

/** One labelled upload of a data set, with its split resolved. */
export interface Upload {
  key: string;
  split: 'train' | 'val' | 'test';
  label: string;
}

/** A data set's uploads grouped for training. */
export interface DatasetIndex {
  config: DatasetConfig;
  labels: string[];
  uploads: Upload[];
  /** Keys under `datasets/<name>/` that are not uploads in the expected layout. */
  ignored: string[];
}

/**
 * Lists a data set: reads its `graft.json`, every upload under `datasets/<name>/`, and assigns a split by hash
 * to uploads stored without one (deterministic, 80/10/10).
 *
 * @example
 * ```ts
 * const index = await indexDataset(store, 'pets');
 * console.log(index.labels, index.uploads.length);
 * ```
 */
export async function indexDataset(store: BlobStore, dataset: string): Promise<DatasetIndex> {
  const config = JSON.parse(
    new TextDecoder().decode(await store.get(keys.datasetConfig(dataset))),
  ) as DatasetConfig;
  const uploads: Upload[] = [];
  const ignored: string[] = [];
  for await (const info of store.list(`datasets/${dataset}/`)) {
    if (info.key === keys.datasetConfig(dataset) || info.key.endsWith('/')) continue;
    const parsed = keys.parseUploadKey(info.key);
    if (!parsed || parsed.dataset !== dataset) {
      ignored.push(info.key);
      continue;
    }
    if (config.labels && !config.labels.includes(parsed.label)) {
      ignored.push(info.key);
      continue;
    }
    uploads.push({ key: info.key, label: parsed.label, split: parsed.split ?? splitFor(info.key) });
  }
  const labels = config.labels ?? [...new Set(uploads.map((u) => u.label))].sort();
  return { config, labels, uploads, ignored };
}
