import { type Backbone, computeActivations, segmentBackbone, splitBackbone } from '@graft/core';
import type { tf } from '@graft/runtime';
import type { Upload } from './dataset-index.js';
import type { Decision } from './decide.js';
import { JobError } from './errors.js';
import { gatherActivations } from './gather.js';
import type { PrepareArgs, PreparedInputs, PreparedSplit } from './prepared.js';
import { type TensorScope, tensorScope } from './scopes.js';
import { PREDICT_BATCH_SIZE, stack } from './tensors.js';

/**
 * The inputs of feature extraction and freeze-k, from the activations the fan-out stored at the data set's cut
 * (extracting any it has not): feature extraction runs them through the frozen layers above to pooled
 * features; freeze-k runs them up to a deeper cut when it freezes more than is stored.
 *
 * @example
 * ```ts
 * const prepared = await prepareActivations({ decision, backbone, index, splits, extractDeps, progress });
 * ```
 */
export async function prepareActivations(args: PrepareArgs): Promise<PreparedInputs> {
  const { decision, backbone, index, splits, extractDeps, progress } = args;
  const scope = tensorScope();
  try {
    const extractor = await extractDeps.extractors.get(index.config);
    const at = { backboneId: extractor.backboneId, cut: extractor.cut };
    const total = index.uploads.length;
    const rejected: PreparedInputs['rejected'] = [];
    const fingerprint: PreparedInputs['fingerprint'] = [];
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
    const stored = await gather(splits.train);
    if (!stored) throw new JobError('no_training_images', 'no usable training image (all were rejected)');
    const storedVal = await gather(splits.val);
    const storedTest = await gather(splits.test);
    const common = { rejected, fingerprint, dispose: scope.dispose };
    if (decision.strategy === 'freeze-k') {
      // The data set stores activations at its cut; the job may freeze more (a deeper cut): the frozen
      // layers between the two run once over the stored activations.
      const cut = freezeCut(backbone, extractor.cut, decision);
      const frozen = cut === extractor.cut ? null : segmentBackbone(backbone, extractor.cut, cut);
      const train = through(frozen, stored, scope);
      const upper = decision.upper ?? 'retrain';
      const activations = train.x as tf.Tensor4D;
      return {
        cut,
        input: { strategy: 'freeze-k', backbone, cut, upper, activations },
        train,
        val: storedVal && through(frozen, storedVal, scope),
        test: storedTest && through(frozen, storedTest, scope),
        ...common,
      };
    }
    // Feature extraction: the frozen layers above the stored cut turn activations into pooled features once.
    const { upper } = splitBackbone(backbone, extractor.cut);
    const train = through(upper, stored, scope);
    return {
      cut: 'features',
      input: { strategy: 'feature-extraction', features: train.x },
      train,
      val: storedVal && through(upper, storedVal, scope),
      test: storedTest && through(upper, storedTest, scope),
      ...common,
    };
  } catch (error) {
    scope.dispose();
    throw error;
  }
}

/** A split run through `model` (its output kept in `scope`), or the split itself when there is no model. */
function through(model: tf.LayersModel | null, split: PreparedSplit, scope: TensorScope): PreparedSplit {
  if (!model) return split;
  return { uploads: split.uploads, x: scope.keep(computeActivations(model, split.x, PREDICT_BATCH_SIZE)) };
}

/**
 * The cut a freeze-k job trains above: the one asked for (`options.cut`) or advised, but never below the cut the
 * data set's activations are stored at (those layers are already baked into the stored activations).
 */
function freezeCut(backbone: Backbone, storedCut: string, decision: Decision): string {
  const wanted = decision.cut ?? decision.advice?.cut ?? storedCut;
  const index = (name: string) => backbone.cuts.find((c) => c.name === name)?.index;
  const wantedIndex = index(wanted);
  if (wantedIndex === undefined)
    throw new JobError('unknown_cut', `cut '${wanted}' is not a cut point of ${backbone.id}`);
  return wantedIndex < (index(storedCut) ?? 0) ? storedCut : wanted;
}
