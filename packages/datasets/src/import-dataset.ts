import type { BlobStore } from '@graft/storage';
import { contentTypeFor } from './content-type.js';
import { type DatasetConfig, type DatasetConfigInput, normalizeDatasetConfig } from './dataset-config.js';
import { DatasetBackboneChangedError, DatasetConflictError, InvalidDatasetError } from './errors.js';
import {
  assertDatasetName,
  assertLabel,
  assertSplit,
  datasetConfigKey,
  type Split,
  sampleKey,
} from './names.js';
import { DEFAULT_SPLIT_FRACTIONS, type SplitFractions, splitFor } from './split.js';

/** One labelled image (or any file: the pipeline decides what it can decode) to upload. */
export interface DatasetSample {
  label: string;
  /** File name, the last key segment. */
  name: string;
  bytes: Uint8Array;
  /** Split; when absent it is assigned by {@link splitFor} over the sample's bytes. */
  split?: Split;
}

/** Progress after each uploaded sample. */
export interface ImportProgress {
  /** Samples uploaded so far. */
  done: number;
  /** Total samples when known (arrays), else undefined. */
  total?: number;
  /** Bytes uploaded so far (images only, not graft.json). */
  bytes: number;
  /** Key just written. */
  key: string;
}

/** Options of {@link importDataset}. */
export interface ImportDatasetOptions {
  /** The data set's `graft.json`; written before any upload. */
  config: DatasetConfigInput;
  /** Uploads in flight at once (default 8). */
  concurrency?: number;
  /** Fractions for samples without a split (default 0.8 / 0.1 / 0.1). */
  fractions?: SplitFractions;
  /** Called after every uploaded sample. */
  onProgress?: (progress: ImportProgress) => void;
  /** Replace an existing `graft.json` that has another backbone/inputSize/cut instead of failing. */
  overwriteConfig?: boolean;
}

/** What {@link importDataset} wrote. */
export interface ImportResult {
  dataset: string;
  /** The `graft.json` in force (the existing one when it matched). */
  config: DatasetConfig;
  configKey: string;
  /** Whether this call wrote `graft.json` (false when an identical one existed). */
  configWritten: boolean;
  total: number;
  bytes: number;
  /** Samples per split and label. */
  counts: Record<Split, Record<string, number>>;
}

async function readExistingConfig(store: BlobStore, key: string): Promise<DatasetConfig | undefined> {
  if (!(await store.head(key))) return undefined;
  const text = new TextDecoder().decode(await store.get(key));
  try {
    return JSON.parse(text) as DatasetConfig;
  } catch (error) {
    throw new InvalidDatasetError(`${key} exists but is not valid JSON`, { cause: error });
  }
}

/**
 * Writes graft.json unless an equivalent one exists; refuses a conflicting one unless overwriting: another backbone
 * with `DatasetBackboneChangedError`, another input size, cut or label list with `DatasetConflictError`.
 */
async function writeConfig(
  store: BlobStore,
  dataset: string,
  config: DatasetConfig,
  overwrite: boolean,
): Promise<{ config: DatasetConfig; written: boolean }> {
  const key = datasetConfigKey(dataset);
  const existing = await readExistingConfig(store, key);
  if (existing && !overwrite) {
    if (existing.backbone !== config.backbone)
      throw new DatasetBackboneChangedError(dataset, existing.backbone, config.backbone);
    const diffs: string[] = [];
    for (const field of ['inputSize', 'cut'] as const) {
      if (existing[field] !== config[field]) {
        diffs.push(`${field} is ${JSON.stringify(existing[field])}, not ${JSON.stringify(config[field])}`);
      }
    }
    if (JSON.stringify(existing.labels ?? null) !== JSON.stringify(config.labels ?? null)) {
      diffs.push(
        `labels are ${JSON.stringify(existing.labels ?? null)}, not ${JSON.stringify(config.labels ?? null)}`,
      );
    }
    if (diffs.length > 0) throw new DatasetConflictError(dataset, diffs.join('; '));
    return { config: existing, written: false };
  }
  await store.put(key, `${JSON.stringify(config, null, 2)}\n`, { contentType: 'application/json' });
  return { config, written: true };
}

/**
 * Uploads labelled samples the way a user's uploads arrive: first `datasets/<dataset>/graft.json`, then
 * every sample to `datasets/<dataset>/<split>/<label>/<name>` with a content type sniffed from its bytes,
 * at most `concurrency` uploads at a time. Names are validated (no `/`, no `..`); a second sample with
 * the same key, or a label outside `config.labels`, is refused with `InvalidDatasetError`. On the first
 * failed upload no new uploads start; in-flight ones finish and the error is rethrown.
 * Samples without `split` get one by hash of their bytes (duplicates share a split).
 *
 * @example
 * ```ts
 * const result = await importDataset(store, 'digits', mnistSamples({ perClass: 50 }), {
 *   config: { backbone: 'mobilenet_v2', inputSize: 96, cut: 'block_10_project_BN' },
 *   onProgress: ({ done }) => console.log(done),
 * });
 * result.counts.train['7']; // ≈ 40
 * ```
 */
export async function importDataset(
  store: BlobStore,
  dataset: string,
  samples: AsyncIterable<DatasetSample> | Iterable<DatasetSample>,
  options: ImportDatasetOptions,
): Promise<ImportResult> {
  assertDatasetName(dataset);
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidDatasetError(`concurrency must be an integer ≥ 1, got ${concurrency}`);
  }
  const fractions = options.fractions ?? DEFAULT_SPLIT_FRACTIONS;
  splitFor('', fractions); // validates the fractions before anything is written
  const wanted = normalizeDatasetConfig(options.config);
  const { config, written } = await writeConfig(store, dataset, wanted, options.overwriteConfig ?? false);
  const allowed = config.labels ? new Set(config.labels) : undefined;
  const total = Array.isArray(samples) ? samples.length : undefined;

  const counts: ImportResult['counts'] = { train: {}, val: {}, test: {} };
  const seen = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let done = 0;
  let bytes = 0;

  const upload = async (key: string, sample: DatasetSample, split: Split): Promise<void> => {
    await store.put(key, sample.bytes, { contentType: contentTypeFor(sample.name, sample.bytes) });
    done++;
    bytes += sample.bytes.byteLength;
    const perLabel = counts[split];
    perLabel[sample.label] = (perLabel[sample.label] ?? 0) + 1;
    options.onProgress?.({ done, total, bytes, key });
  };

  try {
    for await (const sample of samples) {
      if (failure) break;
      if (!sample || !(sample.bytes instanceof Uint8Array)) {
        throw new InvalidDatasetError(`sample ${JSON.stringify(sample?.name)} has no bytes (Uint8Array)`);
      }
      const label = assertLabel(sample.label);
      if (allowed && !allowed.has(label)) {
        throw new InvalidDatasetError(
          `label "${label}" is not one of config.labels (${[...allowed].join(', ')})`,
        );
      }
      const split =
        sample.split === undefined ? splitFor(sample.bytes, fractions) : assertSplit(sample.split);
      const key = sampleKey(dataset, split, label, sample.name);
      if (seen.has(key)) throw new InvalidDatasetError(`two samples map to the same key ${key}`);
      seen.add(key);
      const task: Promise<void> = upload(key, sample, split)
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
  } finally {
    await Promise.all(inFlight);
  }
  if (failure) throw failure.error;
  return {
    dataset,
    config,
    configKey: datasetConfigKey(dataset),
    configWritten: written,
    total: done,
    bytes,
    counts,
  };
}
