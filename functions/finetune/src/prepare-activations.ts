import { type Backbone, computeActivations, segmentBackbone, splitBackbone } from '@graft/core';
import type { tf } from '@graft/runtime';
import type { Decision } from './decide.js';
import { JobError } from './errors.js';
import type { PrepareArgs, PreparedInputs, PreparedSplit } from './prepared.js';
import { type TensorScope, tensorScope } from './scopes.js';
import { type StoredActivations, storedActivations } from './stored-activations.js';
import { PREDICT_BATCH_SIZE } from './tensors.js';

/**
 * The inputs of feature extraction and freeze-k, from the activations the fan-out stored at the data set's cut
 * (extracting any it has not): see {@link inputsAt}. Frees the stored activations with the inputs.
 *
 * @example
 * ```ts
 * const prepared = await prepareActivations({ decision, backbone, index, splits, extractDeps, progress });
 * ```
 */
export async function prepareActivations(args: PrepareArgs): Promise<PreparedInputs> {
  const stored = await storedActivations(args);
  try {
    const inputs = inputsAt({ decision: args.decision, backbone: args.backbone, stored });
    return {
      ...inputs,
      dispose: () => {
        inputs.dispose();
        stored.dispose();
      },
    };
  } catch (error) {
    stored.dispose();
    throw error;
  }
}

/**
 * What a decision over stored activations trains on: freeze-k runs them up to its cut when it freezes more than is
 * stored (the frozen layers in between run once); feature extraction runs them through every frozen layer above
 * to pooled features — or, with an explicit cut, trains its head on the pooled activations at that cut (the layers
 * above are not used), which is freeze-k's `upper: 'replace'` with feature extraction's head. The returned
 * `dispose()` frees only what this derived (the stored activations belong to the caller).
 *
 * @example
 * ```ts
 * const inputs = inputsAt({ decision: { strategy: 'freeze-k', cut: 'out_relu', upper: 'replace', explanation: '' },
 *   backbone, stored });
 * ```
 */
export function inputsAt(args: {
  decision: Decision;
  backbone: Backbone;
  stored: StoredActivations;
}): PreparedInputs {
  const { decision, backbone, stored } = args;
  const scope = tensorScope();
  try {
    const common = { rejected: stored.rejected, fingerprint: stored.fingerprint, dispose: scope.dispose };
    const explicitCut =
      decision.strategy === 'feature-extraction' && decision.cut && decision.cut !== 'features';
    if (decision.strategy === 'freeze-k' || explicitCut) {
      const cut = freezeCut(backbone, stored.cut, decision);
      const frozen = cut === stored.cut ? null : segmentBackbone(backbone, stored.cut, cut);
      const train = through(frozen, stored.train, scope);
      const upper = explicitCut ? 'replace' : (decision.upper ?? 'retrain');
      return {
        cut,
        input: { strategy: 'freeze-k', backbone, cut, upper, activations: train.x as tf.Tensor4D },
        train,
        val: stored.val && through(frozen, stored.val, scope),
        test: stored.test && through(frozen, stored.test, scope),
        ...common,
      };
    }
    if (decision.strategy !== 'feature-extraction')
      throw new JobError('invalid_options', `${decision.strategy} does not train over stored activations`);
    const { upper } = splitBackbone(backbone, stored.cut);
    const train = through(upper, stored.train, scope);
    return {
      cut: 'features',
      input: { strategy: 'feature-extraction', features: train.x },
      train,
      val: stored.val && through(upper, stored.val, scope),
      test: stored.test && through(upper, stored.test, scope),
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
 * The cut a job trains above: the one asked for (`options.cut`) or advised, but never below the cut the data set's
 * activations are stored at (those layers are already baked into the stored activations).
 */
function freezeCut(backbone: Backbone, storedCut: string, decision: Decision): string {
  const wanted = decision.cut ?? decision.advice?.cut ?? storedCut;
  const index = (name: string) => backbone.cuts.find((c) => c.name === name)?.index;
  const wantedIndex = index(wanted);
  if (wantedIndex === undefined)
    throw new JobError('unknown_cut', `cut '${wanted}' is not a cut point of ${backbone.id}`);
  return wantedIndex < (index(storedCut) ?? 0) ? storedCut : wanted;
}
