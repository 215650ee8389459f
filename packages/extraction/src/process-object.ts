import { ImagingError } from '@graft/imaging';
import {
  type BlobStore,
  type FeatureStore,
  keyProblem,
  keys,
  NotFoundError,
  StorageError,
  sha256,
} from '@graft/storage';
import { RetryableError } from './errors.js';
import type { ExtractConfig, Extractor } from './extractor.js';

/** What happened to one uploaded object. */
export type Outcome =
  | { kind: 'extracted'; key: string; sha256: string; featureKey: string; ms: number }
  | { kind: 'duplicate'; key: string; sha256: string; featureKey: string }
  | { kind: 'rejected'; key: string; sha256: string; code: string; message: string }
  | { kind: 'ignored'; key: string; reason: string };

/** Collaborators of {@link processObject}, built once per container. */
export interface ProcessDeps {
  store: BlobStore;
  features: FeatureStore;
  extractors: { get(config: ExtractConfig): Promise<Extractor>; dispose?(): Promise<void> };
  /** Reads a data set's `graft.json` (cached by the caller). Rejects with `NotFoundError` when missing. */
  datasetConfig(dataset: string): Promise<ExtractConfig & { labels?: string[] }>;
  /**
   * Extractions running now, by feature key (shared by concurrent calls): a second upload of the same bytes
   * waits for the first instead of running the trunk again. Without it, concurrent duplicates may both extract
   * (still one stored feature: writes are content-addressed).
   */
  inFlight?: Map<string, Promise<unknown>>;
}

/**
 * Handles one object-created notification: skips keys that are not uploads, dedupes by content hash, extracts
 * the trunk output and stores it, or writes a `rejects/` record saying why the upload cannot be used.
 * Throws {@link RetryableError} (or a transient storage error) when the work should be retried.
 *
 * @example
 * ```ts
 * const outcome = await processObject('datasets/pets/train/cat/1.jpg', deps);
 * if (outcome.kind === 'rejected') console.log(outcome.code);
 * ```
 */
export async function processObject(key: string, deps: ProcessDeps): Promise<Outcome> {
  if (!key.startsWith('datasets/')) return { kind: 'ignored', key, reason: 'outside datasets/' };
  if (key.endsWith('/')) return { kind: 'ignored', key, reason: 'folder marker' };
  if (key.endsWith('/graft.json') && key.split('/').length === 3) {
    return { kind: 'ignored', key, reason: 'data set config' };
  }

  // S3 accepts keys such as `datasets/pets/train/../cat/x.jpg`; the store refuses to address them (they would
  // alias other keys or leave a file-backed store's folder), so say why instead of retrying until dead-lettered.
  const problem = keyProblem(key);
  if (problem) return reject(deps, key, '', datasetOf(key), 'invalid_key', `the key ${problem}`);

  let bytes: Uint8Array;
  try {
    bytes = await deps.store.get(key);
  } catch (error) {
    // Deleted between the event and now: nothing left to process.
    if (error instanceof NotFoundError) return { kind: 'ignored', key, reason: 'object no longer exists' };
    throw error;
  }
  const contentSha = await sha256(bytes);
  const parsed = keys.parseUploadKey(key);
  if (!parsed) {
    const message = 'expected datasets/<dataset>/[<split>/]<label>/<file>';
    return reject(deps, key, contentSha, datasetOf(key), 'invalid_key', message);
  }
  const config = await readConfig(deps, parsed.dataset);
  if (config.labels && !config.labels.includes(parsed.label)) {
    const message = `label '${parsed.label}' is not one of ${config.labels.join(', ')}`;
    return reject(deps, key, contentSha, parsed.dataset, 'unknown_label', message);
  }
  const extractor = await deps.extractors.get(config);
  const ref = { backboneId: extractor.backboneId, cut: extractor.cut, sha256: contentSha };
  const featureKey = deps.features.key(ref);
  return exclusive(deps.inFlight, featureKey, async (): Promise<Outcome> => {
    if (await deps.features.has(ref)) return { kind: 'duplicate', key, sha256: contentSha, featureKey };
    const started = performance.now();
    let output: { data: Float32Array; shape: number[] };
    try {
      output = await extractor.extract(bytes);
    } catch (error) {
      if (error instanceof ImagingError)
        return reject(deps, key, contentSha, parsed.dataset, error.code, error.message);
      throw error;
    }
    await deps.features.put(ref, output, { dtype: FEATURE_DTYPE });
    return { kind: 'extracted', key, sha256: contentSha, featureKey, ms: performance.now() - started };
  });
}

/** Runs `work` once no other work under `id` is running (no await between the wait and the claim). */
async function exclusive<T>(
  running: Map<string, Promise<unknown>> | undefined,
  id: string,
  work: () => Promise<T>,
) {
  if (!running) return work();
  while (running.has(id)) await running.get(id)!.catch(() => undefined);
  const mine = work();
  running.set(id, mine);
  try {
    return await mine;
  } finally {
    if (running.get(id) === mine) running.delete(id);
  }
}

/** Activations are stored as float16: half the bytes, ≤ 1e-3 relative error (see the storage package). */
export const FEATURE_DTYPE = 'float16' as const;

async function readConfig(deps: ProcessDeps, dataset: string) {
  try {
    return await deps.datasetConfig(dataset);
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new RetryableError(`datasets/${dataset}/graft.json does not exist yet; retrying`);
    }
    if (error instanceof StorageError) throw error;
    throw new RetryableError(`cannot read datasets/${dataset}/graft.json: ${(error as Error).message}`);
  }
}

function datasetOf(key: string): string {
  const name = key.split('/')[1] ?? '';
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name) ? name : '_invalid';
}

/**
 * Where the rejects record of an upload lives: one record per upload key (named by the SHA-256 of the key), so
 * every upload is accounted for even when two keys hold the same bytes; the content hash is inside the record.
 *
 * @example
 * ```ts
 * await store.head(await rejectKey('pets', 'datasets/pets/train/cat/broken.jpg'));
 * ```
 */
export async function rejectKey(dataset: string, key: string): Promise<string> {
  return keys.reject(dataset, await sha256(key));
}

async function reject(
  deps: ProcessDeps,
  key: string,
  sha256: string,
  dataset: string,
  code: string,
  message: string,
): Promise<Outcome> {
  const recordKey = await rejectKey(dataset, key);
  // A redelivered event finds the record already written for these bytes: leave it (and its date) alone.
  const existing = await deps.store.get(recordKey).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  if (existing && sameReject(existing, sha256, code)) return { kind: 'rejected', key, sha256, code, message };
  const record = { key, dataset, sha256, code, message, rejectedAt: new Date().toISOString() };
  await deps.store.put(recordKey, JSON.stringify(record, null, 2), {
    contentType: 'application/json',
  });
  return { kind: 'rejected', key, sha256, code, message };
}

function sameReject(bytes: Uint8Array, sha256: string, code: string): boolean {
  try {
    const record = JSON.parse(new TextDecoder().decode(bytes)) as { sha256?: unknown; code?: unknown };
    return record.sha256 === sha256 && record.code === code;
  } catch {
    return false; // an unreadable record is rewritten
  }
}
