import { type ProcessDeps, processObject } from '@graft/extraction';
import { type FeatureRef, NotFoundError, sha256 } from '@graft/storage';
import type { Upload } from './dataset-index.js';

/** Activations of the usable uploads of one split, plus what happened to the others. */
export interface Gathered {
  uploads: Upload[];
  /** SHA-256 of each usable upload's bytes (parallel to `uploads`). */
  sha256: string[];
  /** One flat Float32Array per usable upload, all of `shape`. */
  activations: Float32Array[];
  shape: number[];
  /** Uploads whose features were missing and extracted here (the fan-out had not caught up). */
  computed: number;
  /** Uploads skipped because they are not usable images (each has a rejects record). */
  rejected: { key: string; code: string; message: string }[];
}

/** What {@link gatherActivations} reads. */
export interface GatherArgs {
  deps: ProcessDeps;
  /** The backbone and cut the activations are stored for. */
  at: { backboneId: string; cut: string };
  uploads: Upload[];
  onProgress?: (done: number, total: number) => void;
  /** Uploads read at once (default 8). */
  concurrency?: number;
}

/**
 * Reads the stored activation of every upload at the data set's cut. Where the fan-out has not stored one yet,
 * runs the extract function's own `processObject` on the upload (which extracts and stores it, or writes its
 * rejects record), so a training job never silently drops an image.
 *
 * @example
 * ```ts
 * const train = await gatherActivations({ deps: extractDeps, at: extractor, uploads, onProgress: (done, total) => progress(done / total) });
 * ```
 */
export async function gatherActivations({
  deps,
  at,
  uploads,
  onProgress,
  concurrency = 8,
}: GatherArgs): Promise<Gathered> {
  type One =
    | { data: Float32Array; shape: number[]; computed: boolean; sha: string }
    | { code: string; message: string };
  const results: One[] = new Array(uploads.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= uploads.length) return;
      results[i] = await activationOf(deps, at, uploads[i]!.key);
      onProgress?.(++done, uploads.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, uploads.length) }, worker));
  const gathered: Gathered = {
    uploads: [],
    sha256: [],
    activations: [],
    shape: [],
    computed: 0,
    rejected: [],
  };
  uploads.forEach((upload, i) => {
    const result = results[i]!;
    if ('code' in result) {
      gathered.rejected.push({ key: upload.key, ...result });
      return;
    }
    gathered.uploads.push(upload);
    gathered.sha256.push(result.sha);
    gathered.activations.push(result.data);
    gathered.shape = result.shape;
    if (result.computed) gathered.computed++;
  });
  return gathered;
}

async function activationOf(deps: ProcessDeps, at: { backboneId: string; cut: string }, key: string) {
  const sha = await sha256(await deps.store.get(key));
  const stored = await readFeature(deps, { ...at, sha256: sha });
  if (stored) return { data: stored.data, shape: stored.shape, computed: false, sha };
  const outcome = await processObject(key, deps);
  if (outcome.kind === 'rejected') return { code: outcome.code, message: outcome.message };
  if (outcome.kind === 'ignored') return { code: 'ignored', message: outcome.reason };
  const fresh = await readFeature(deps, { ...at, sha256: outcome.sha256 });
  if (!fresh) throw new Error(`features of ${key} were not stored`);
  return { data: fresh.data, shape: fresh.shape, computed: outcome.kind === 'extracted', sha };
}

async function readFeature(deps: ProcessDeps, ref: FeatureRef) {
  try {
    return await deps.features.get(ref);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
