import { loadBundle } from '@graft/core';
import { errorMessage } from '@graft/errors';
import type { PromotePolicy, PromotionDecision } from '@graft/jobs';
import { type BlobStore, ModelRegistry } from '@graft/storage';
import { accuracyOf } from './accuracy.js';
import type { Upload } from './dataset-index.js';
import { imagesTensor } from './images.js';

/** What {@link decidePromotion} compares. */
export interface PromotionArgs {
  store: BlobStore;
  model: string;
  policy: PromotePolicy;
  /** The new model's labels, in output order. */
  labels: string[];
  /** The validation uploads the new model was scored on, and its accuracy on them. */
  val: Upload[];
  valAccuracy: number;
}

/**
 * Whether a newly trained version should serve: the first version always does, and so does every version with
 * `promote: 'always'`; otherwise the serving version is scored on the same validation images (decoded at its own
 * input size) and the new one serves only when it is not worse. A serving version with other labels, or one that
 * cannot be read, is replaced.
 *
 * @example
 * ```ts
 * const promotion = await decidePromotion({ store, model: 'pets', policy: 'if-better', labels, val, valAccuracy: 0.9 });
 * if (promotion.reason === 'not_better') console.log(promotion.message);
 * ```
 */
export async function decidePromotion(
  args: PromotionArgs,
): Promise<PromotionDecision & { promote: boolean }> {
  const { store, model, policy, labels, val, valAccuracy } = args;
  const registry = new ModelRegistry(store);
  const current = await registry.getCurrent(model);
  const acc = valAccuracy.toFixed(3);
  if (!current)
    return { promote: true, reason: 'first_version', valAccuracy, message: `the first version of ${model}` };
  const serving = { version: current.version };
  if (val.length === 0 || Number.isNaN(valAccuracy))
    return {
      promote: true,
      reason: 'no_validation',
      serving,
      valAccuracy,
      message: 'no validation images to compare the versions on: promoted',
    };
  if (policy === 'always')
    return {
      promote: true,
      reason: 'always',
      serving,
      valAccuracy,
      message: 'promoted as asked (promote: always)',
    };
  let servingAccuracy: number;
  try {
    const scored = await scoreVersion({ store, registry, model, version: current.version, labels, val });
    if (scored === 'labels_changed')
      return {
        promote: true,
        reason: 'labels_changed',
        serving,
        valAccuracy,
        message: `v${current.version} classifies other labels: replaced`,
      };
    servingAccuracy = scored;
  } catch (error) {
    return {
      promote: true,
      reason: 'serving_unreadable',
      serving,
      valAccuracy,
      message: `v${current.version} could not be scored (${errorMessage(error)}): replaced`,
    };
  }
  const old = servingAccuracy.toFixed(3);
  const both = { serving: { ...serving, valAccuracy: servingAccuracy }, valAccuracy };
  return valAccuracy >= servingAccuracy
    ? {
        promote: true,
        reason: 'better',
        ...both,
        message: `validation accuracy ${acc} ≥ ${old} of serving v${current.version}`,
      }
    : {
        promote: false,
        reason: 'not_better',
        ...both,
        message: `published but not promoted: validation accuracy ${acc} < ${old} of serving v${current.version} on the same ${val.length} images (promote: always overrides)`,
      };
}

async function scoreVersion(args: {
  store: BlobStore;
  registry: ModelRegistry;
  model: string;
  version: number;
  labels: string[];
  val: Upload[];
}): Promise<number | 'labels_changed'> {
  const { store, registry, model, version, labels, val } = args;
  const served = await loadBundle(await registry.readBundleFiles(model, version));
  try {
    if (served.meta.labels.join('\u0000') !== labels.join('\u0000')) return 'labels_changed';
    const input = { inputSize: served.meta.input.size, preprocessing: served.meta.input.preprocessing };
    const batch = await imagesTensor({
      read: (k) => store.get(k),
      keys: val.map((u) => u.key),
      backbone: input,
    });
    try {
      const byKey = new Map(val.map((u) => [u.key, labels.indexOf(u.label)]));
      const truth = batch.keys.map((k) => byKey.get(k)!);
      return accuracyOf({ predict: (x) => served.predict(x as never) }, batch.images, truth);
    } finally {
      batch.images.dispose();
    }
  } finally {
    served.dispose();
  }
}
