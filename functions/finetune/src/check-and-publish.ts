import {
  type ProgressReporter,
  REJECTED_IN_RESULT,
  type TrainingResult,
  type TrainingSpec,
} from '@graft/jobs';
import type { BlobStore } from '@graft/storage';
import type { DatasetIndex } from './dataset-index.js';
import { JobError } from './errors.js';
import { evaluateSplits } from './evaluate-splits.js';
import { decidePromotion } from './promotion.js';
import { type PublishArgs, publishTrained } from './publish.js';
import type { Trained } from './race.js';
import { countsBySplit } from './splits.js';
import { validationCheck } from './validation.js';

/** What {@link checkAndPublish} checks and publishes. */
export interface CheckAndPublishArgs {
  spec: TrainingSpec;
  store: BlobStore;
  index: DatasetIndex;
  winner: Trained;
  entries?: TrainingResult['candidates'];
  toLabels: (uploads: DatasetIndex['uploads']) => number[];
  progress: ProgressReporter;
  /** More for the version's report (a developed source's statistics). */
  report?: Record<string, unknown>;
  warnings?: string[];
  /** Called just before the first write of the model version (the job's commit point). */
  beforePublish?: PublishArgs['beforePublish'];
}

/**
 * Checks a trained model learnt (clearly better than chance on the validation split, else `no_learning` and nothing
 * is published), evaluates it on the test split, decides whether it serves (not worse than the serving version on
 * the same validation images, or `promote: 'always'`), publishes it and returns the job's result.
 *
 * @example
 * ```ts
 * const result = await checkAndPublish({ spec, store, index, winner, toLabels, progress });
 * ```
 */
export async function checkAndPublish(args: CheckAndPublishArgs): Promise<TrainingResult> {
  const { spec, store, index, winner, entries, toLabels, progress, warnings } = args;
  const { decision, prepared, result } = winner;
  const valUploads = prepared.val?.uploads ?? [];
  const validation = validationCheck(winner.valAccuracy, toLabels(valUploads));
  if (!validation.passed)
    throw new JobError(
      'no_learning',
      `the model did not learn: validation accuracy ${validation.accuracy} on ${validation.images} images is not clearly above chance (${validation.chance}; needs > ${validation.threshold}); nothing was published. Strategy ${decision.strategy}${prepared.cut ? ` at ${prepared.cut}` : ''}: try another strategy or cut, more epochs or more images per class.`,
    );
  progress.set({ phase: 'evaluate', fraction: 0.92, message: 'evaluating on the test split' });
  const evaluation = evaluateSplits({ model: result.model, prepared, toLabels, labels: index.labels });
  const promotion = await decidePromotion({
    store,
    model: spec.model,
    policy: spec.promote ?? 'if-better',
    labels: index.labels,
    val: valUploads,
    valAccuracy: winner.valAccuracy,
  });
  const { promote, ...promotionDecision } = promotion;
  progress.set({ phase: 'publish', fraction: 0.96, message: 'publishing the model version' });
  const checks = {
    // A developed model is built on the architecture it developed, not on the data set's backbone.
    backbone: spec.strategy === 'develop' ? winner.backbone.name : index.config.backbone,
    validation,
    promotion: promotionDecision,
    ...(entries ? { candidates: entries } : {}),
  };
  const version = await publishTrained({
    store,
    spec,
    backbone: winner.backbone,
    index,
    decision,
    prepared,
    result,
    evaluation,
    checks: { ...checks, ...(warnings?.length ? { warnings } : {}) },
    extra: args.report,
    promote,
    toLabels,
    beforePublish: args.beforePublish,
  });
  return {
    model: spec.model,
    version,
    strategy: decision.strategy,
    ...(decision.scenario ? { scenario: decision.scenario } : {}),
    explanation: decision.explanation,
    ...(prepared.cut ? { cut: prepared.cut } : {}),
    metrics: evaluation.summary,
    counts: countsBySplit(index),
    trainSeconds: result.seconds,
    ...checks,
    promoted: promote,
    ...(warnings?.length ? { warnings } : {}),
    ...(prepared.rejected.length
      ? {
          rejected: {
            count: prepared.rejected.length,
            first: prepared.rejected
              .slice(0, REJECTED_IN_RESULT)
              .map(({ key, code, message }) => ({ key, code, message })),
          },
        }
      : {}),
  };
}
