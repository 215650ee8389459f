import {
  type Backbone,
  type Bundle,
  bundleToFiles,
  createBundle,
  fingerprintDataset,
  type TrainResult,
} from '@graft/core';
import type { TrainingResult, TrainingSpec } from '@graft/jobs';
import { type BlobStore, ModelRegistry } from '@graft/storage';
import type { DatasetIndex, Upload } from './dataset-index.js';
import type { Decision } from './decide.js';
import type { Evaluation } from './evaluate-splits.js';
import { fitJobOod } from './fit-ood.js';
import type { PreparedInputs } from './prepared.js';
import { countsBySplit } from './splits.js';

/** What {@link publishVersion} publishes. */
export interface PublishArgs {
  registry: ModelRegistry;
  model: string;
  bundle: Bundle;
  /** The training report, stored as the version's `report.json`. */
  report: Record<string, unknown>;
  /** Make it the serving version (default true); otherwise it is published but `current.json` is untouched. */
  promote?: boolean;
  /** The out-of-distribution detector, stored as the version's `ood.bin`. */
  ood?: Uint8Array;
  /**
   * Called after everything is ready and just before the first write of the version: the job's commit point. If
   * it throws, nothing of the version is written.
   */
  beforePublish?: () => Promise<void>;
}

/**
 * Publishes a bundle and its report as the next immutable version of a model; the registry writes the
 * serving pointer (`current.json`) last, so readers never see a half-written version.
 *
 * @example
 * ```ts
 * const version = await publishVersion({ registry, model: 'digits', bundle, report });
 * ```
 */
export async function publishVersion({
  registry,
  model,
  bundle,
  report,
  promote,
  ood,
  beforePublish,
}: PublishArgs): Promise<number> {
  const files = await bundleToFiles(bundle);
  await beforePublish?.();
  return registry.publish(
    model,
    { ...files, report: JSON.stringify(report), ...(ood ? { ood } : {}) },
    { promote: promote ?? true },
  );
}

/** What {@link publishTrained} publishes: a job's trained model and how it came about. */
export interface PublishTrainedArgs {
  store: BlobStore;
  /** The job's spec: the model to publish a version of, trained from its data set. */
  spec: TrainingSpec;
  backbone: Backbone;
  index: DatasetIndex;
  decision: Decision;
  prepared: PreparedInputs;
  result: TrainResult;
  evaluation: Evaluation;
  /** How the version was checked before it may serve: validation against chance, the race, the promotion. */
  checks: Pick<TrainingResult, 'validation' | 'promotion' | 'candidates' | 'backbone' | 'warnings'>;
  /** More report fields (a developed source's statistics). */
  extra?: Record<string, unknown>;
  promote: boolean;
  /** Labels of uploads (the OOD detector is fitted per class). */
  toLabels: (uploads: Upload[]) => number[];
  beforePublish?: PublishArgs['beforePublish'];
}

/**
 * Bundles a trained model (calibrated, fingerprinted with its training images, with its out-of-distribution
 * detector fitted on the training split) and publishes it as the next version of the spec's model, with the training
 * report: counts, rejects, the decision, the curves, the test metrics and the OOD scores.
 *
 * @example
 * ```ts
 * const version = await publishTrained({ store, spec, backbone, index, decision, prepared, result, evaluation });
 * ```
 */
export async function publishTrained(args: PublishTrainedArgs): Promise<number> {
  const { store, spec, backbone, index, decision, prepared, result, evaluation, checks, extra, promote } =
    args;
  const bundle = createBundle({
    backbone,
    result,
    labels: index.labels,
    temperature: evaluation.temperature,
    metrics: evaluation.summary,
    datasetFingerprint: await fingerprintDataset(prepared.fingerprint),
  });
  const ood = await fitJobOod({
    bundle,
    model: result.model,
    prepared,
    toLabels: args.toLabels,
    temperature: evaluation.temperature,
    testPredictions: evaluation.testPredictions,
  });
  const report = {
    dataset: spec.dataset,
    counts: countsBySplit(index),
    rejected: prepared.rejected,
    decision: {
      strategy: decision.strategy,
      scenario: decision.scenario,
      explanation: decision.explanation,
      ...(prepared.cut ? { cut: prepared.cut } : {}),
      ...(decision.upper ? { upper: decision.upper } : {}),
      ...(decision.grid ? { grid: decision.grid } : {}),
      advice: decision.advice,
    },
    history: result.history,
    bestEpoch: result.bestEpoch,
    test: evaluation.test,
    testUncalibrated: evaluation.testUncalibrated,
    testKeys: (prepared.test ?? prepared.val)?.uploads.map((u) => u.key) ?? [],
    testPredictions: evaluation.testPredictions,
    seconds: result.seconds,
    ...checks,
    ...extra,
    ood: ood.report,
    promoted: promote,
  };
  return publishVersion({
    registry: new ModelRegistry(store),
    model: spec.model,
    bundle,
    report,
    promote,
    ood: ood.bytes,
    beforePublish: args.beforePublish,
  });
}
