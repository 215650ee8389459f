/**
 * Fits a trained model's out-of-distribution detector (`ood.bin`) and what the report shows of it: the
 * validation scores against a reference outlier set, per-method separation, and the test images nearest the
 * threshold.
 */
import {
  auroc,
  type Bundle,
  encodeOod,
  fitOod,
  fprAtTpr,
  OOD_METHODS,
  type OodMethod,
  type OodStats,
  oodTaps,
  referenceOutliers,
  scoreOod,
  tapAll,
} from '@graft/core';
import { tf } from '@graft/runtime';
import type { Upload } from './dataset-index.js';
import type { PreparedInputs } from './prepared.js';
import { PREDICT_BATCH_SIZE } from './tensors.js';

/** Reference outlier images scored for the report. */
const REFERENCE_COUNT = 20;
/** Test images nearest the threshold listed in the report. */
const NEAREST = 8;

/** What {@link fitJobOod} fits on. */
export interface FitJobOodArgs {
  /** The bundled model (image → probabilities), for the reference outliers. */
  bundle: Bundle;
  /** The trained model; it reads what the prepared splits hold. */
  model: tf.LayersModel;
  prepared: Pick<PreparedInputs, 'train' | 'val' | 'test'>;
  toLabels: (uploads: Upload[]) => number[];
  temperature: number;
  /** The predicted class of every test upload, in order (from the evaluation). */
  testPredictions: number[];
}

/** The `ood` section of a version's report. */
export interface OodReport {
  method: OodMethod;
  keep: number;
  thresholds: Record<OodMethod, number>;
  bytes: number;
  components: number;
  bankRows: number;
  k: number;
  /** The default method's scores of the validation split and of the reference outliers (the chart). */
  validationScores: number[];
  referenceScores: number[];
  /** Per method: how the validation split separates from the reference outliers. */
  separation: Record<OodMethod, { auroc: number; fpr95: number }>;
  /** Test split: share flagged unknown, accuracy on all and on the accepted images. */
  test?: { images: number; unknown: number; accuracy: number; acceptedAccuracy: number };
  /** The test images whose scores lie nearest the threshold. */
  nearest: { key: string; score: number; unknown: boolean; label: number; predicted: number }[];
}

/**
 * Fits every OOD method on the training split (thresholds on the validation split, the training split without
 * one) and scores the reference outliers and the test split for the report.
 *
 * @example
 * ```ts
 * const { bytes, report } = await fitJobOod({ bundle, model: result.model, prepared, toLabels, temperature, testPredictions });
 * ```
 */
export async function fitJobOod(
  args: FitJobOodArgs,
): Promise<{ stats: OodStats; bytes: Uint8Array; report: OodReport }> {
  const { bundle, model, prepared, toLabels, temperature } = args;
  const taps = oodTaps(model);
  const train = await tapAll(taps, prepared.train.x, PREDICT_BATCH_SIZE);
  const val = prepared.val ? await tapAll(taps, prepared.val.x, PREDICT_BATCH_SIZE) : train;
  const stats = fitOod({
    train: train.features,
    trainLabels: toLabels(prepared.train.uploads),
    numClasses: bundle.meta.labels.length,
    val: val.features,
    valLogits: val.logits,
    temperature,
  });
  const reference = await scoreReference(bundle);
  const separation = Object.fromEntries(
    OOD_METHODS.map((method) => {
      const inScores = scoreOod(method, stats, val);
      const outScores = scoreOod(method, stats, reference);
      return [method, { auroc: auroc(inScores, outScores), fpr95: fprAtTpr(inScores, outScores) }];
    }),
  ) as OodReport['separation'];
  const bytes = encodeOod(stats);
  const threshold = stats.thresholds[stats.method];
  const report: OodReport = {
    method: stats.method,
    keep: stats.keep,
    thresholds: stats.thresholds,
    bytes: bytes.byteLength,
    components: stats.mahalanobis.basis.rows,
    bankRows: stats.knn.bank.rows,
    k: stats.knn.k,
    validationScores: scoreOod(stats.method, stats, val).map(round),
    referenceScores: scoreOod(stats.method, stats, reference).map(round),
    separation,
    nearest: [],
  };
  const testSplit = prepared.test;
  if (testSplit) {
    const test = await tapAll(taps, testSplit.x, PREDICT_BATCH_SIZE);
    const scores = scoreOod(stats.method, stats, test);
    const truth = toLabels(testSplit.uploads);
    const predicted = args.testPredictions;
    const accepted = scores.map((s, i) => ({ s, i })).filter(({ s }) => s <= threshold);
    const correct = (i: number) => (predicted[i] === truth[i] ? 1 : 0);
    report.test = {
      images: scores.length,
      unknown: 1 - accepted.length / Math.max(1, scores.length),
      accuracy: scores.reduce((n, _, i) => n + correct(i), 0) / Math.max(1, scores.length),
      acceptedAccuracy: accepted.reduce((n, { i }) => n + correct(i), 0) / Math.max(1, accepted.length),
    };
    report.nearest = scores
      .map((score, i) => ({ score, i }))
      .sort((a, b) => Math.abs(a.score - threshold) - Math.abs(b.score - threshold))
      .slice(0, NEAREST)
      .map(({ score, i }) => ({
        key: testSplit.uploads[i]!.key,
        score: round(score),
        unknown: score > threshold,
        label: truth[i]!,
        predicted: predicted[i] ?? -1,
      }));
  }
  return { stats, bytes, report };
}

/** The reference outliers' features and logits through the whole bundled model (image → head). */
async function scoreReference(bundle: Bundle) {
  const { size, channels, preprocessing } = bundle.meta.input;
  const x = tf.tidy(() =>
    tf.add(
      tf.mul(referenceOutliers({ size, channels, count: REFERENCE_COUNT }), preprocessing.scale),
      preprocessing.offset,
    ),
  );
  try {
    return await tapAll(oodTaps(bundle.model), x, PREDICT_BATCH_SIZE);
  } finally {
    x.dispose();
  }
}

function round(x: number): number {
  return Number(x.toPrecision(5));
}
