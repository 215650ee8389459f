import type { Upload } from './dataset-index.js';
import { JobError } from './errors.js';
import { gatherActivations } from './gather.js';
import type { PrepareArgs, PreparedInputs, PreparedSplit } from './prepared.js';
import { tensorScope } from './scopes.js';
import { stack } from './tensors.js';

/**
 * The trunk activations the fan-out stored at the data set's cut, for every split (any upload it has not reached
 * yet is extracted now). Everything trained over stored activations starts here; its tensors are freed by
 * `dispose()`.
 */
export interface StoredActivations {
  /** The data set's cut: the activations are the trunk's output there. */
  cut: string;
  train: PreparedSplit;
  val?: PreparedSplit;
  test?: PreparedSplit;
  rejected: PreparedInputs['rejected'];
  fingerprint: PreparedInputs['fingerprint'];
  dispose(): void;
}

/**
 * Reads (or extracts) the stored activations of every split, reporting the `features` phase (fraction 0.05 → 0.3).
 *
 * @example
 * ```ts
 * const stored = await storedActivations({ index, splits, extractDeps, progress });
 * try { … } finally { stored.dispose(); }
 * ```
 */
export async function storedActivations(
  args: Pick<PrepareArgs, 'index' | 'splits' | 'extractDeps' | 'progress'>,
): Promise<StoredActivations> {
  const { index, splits, extractDeps, progress } = args;
  const scope = tensorScope();
  try {
    const extractor = await extractDeps.extractors.get(index.config);
    const at = { backboneId: extractor.backboneId, cut: extractor.cut };
    const total = splits.train.length + splits.val.length + splits.test.length;
    const rejected: StoredActivations['rejected'] = [];
    const fingerprint: StoredActivations['fingerprint'] = [];
    let base = 0;
    const gather = async (uploads: Upload[]): Promise<PreparedSplit | undefined> => {
      const g = await gatherActivations({
        deps: extractDeps,
        at,
        uploads,
        onProgress: (done) =>
          progress.set({
            phase: 'features',
            fraction: 0.05 + (0.25 * (base + done)) / Math.max(1, total),
            message: undefined,
          }),
      });
      base += uploads.length;
      rejected.push(...g.rejected);
      g.uploads.forEach((u, i) => {
        if (u.split === 'train') fingerprint.push({ sha256: g.sha256[i]!, label: u.label });
      });
      if (g.uploads.length === 0) return undefined;
      return { uploads: g.uploads, x: scope.keep(stack(g.activations, g.shape)) };
    };
    const train = await gather(splits.train);
    if (!train) throw new JobError('no_training_images', 'no usable training image (all were rejected)');
    const val = await gather(splits.val);
    const test = await gather(splits.test);
    return { cut: extractor.cut, train, val, test, rejected, fingerprint, dispose: scope.dispose };
  } catch (error) {
    scope.dispose();
    throw error;
  }
}
