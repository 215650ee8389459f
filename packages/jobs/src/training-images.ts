import type { DatasetConfig } from '@graft/datasets';
// the split alone: the API counts images on its start path, which must not load the importers
import { splitFor } from '@graft/datasets/split';
import { type BlobStore, keys, NotFoundError, readJson } from '@graft/storage';

/** Keys a cheap count lists at most (50 list pages): beyond it the job counts, once it has indexed the data set. */
export const CHEAP_COUNT_MAX_KEYS = 50_000;

/**
 * Counts a data set's training images the way a training job does for its epochs × images budget: its uploads
 * (labels its `graft.json` allows) whose split is `train`, stored so or assigned by hash, before the job carves
 * validation images from them. Stops as soon as the count passes `upTo` (so the answer is then `upTo + 1`, "more
 * than `upTo`"). Answers `undefined` when that is not cheap — more than `maxKeys` keys to list — or when the data set
 * has no `graft.json` (the job reports that itself).
 *
 * @example
 * ```ts
 * const count = await countTrainingImages(store, 'digits', { upTo: 20_000 });
 * if (count !== undefined && count > 20_000) console.log('over the budget at 1000 epochs');
 * ```
 */
export async function countTrainingImages(
  store: BlobStore,
  dataset: string,
  options: { upTo: number; maxKeys?: number },
): Promise<number | undefined> {
  const maxKeys = options.maxKeys ?? CHEAP_COUNT_MAX_KEYS;
  let config: DatasetConfig;
  try {
    config = await readJson<DatasetConfig>(store, keys.datasetConfig(dataset));
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
  let listed = 0;
  let train = 0;
  for await (const info of store.list(`datasets/${dataset}/`, { maxKeys: 1000 })) {
    if (++listed > maxKeys) return undefined;
    const upload = keys.parseUploadKey(info.key);
    if (!upload || upload.dataset !== dataset) continue;
    if (config.labels && !config.labels.includes(upload.label)) continue;
    if ((upload.split ?? splitFor(info.key)) !== 'train') continue;
    if (++train > options.upTo) return train;
  }
  return train;
}
