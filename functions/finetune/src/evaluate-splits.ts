import { computeActivations, type EvaluationReport, evaluate, fitTemperature, toLogits } from '@graft/core';
import type { TrainingResult } from '@graft/jobs';
import { tf } from '@graft/runtime';
import type { Upload } from './dataset-index.js';
import type { PreparedInputs, PreparedSplit } from './prepared.js';
import { PREDICT_BATCH_SIZE } from './tensors.js';

/** What {@link evaluateSplits} evaluates. */
export interface EvaluateArgs {
  /** The trained model; it reads what the prepared splits hold. */
  model: tf.LayersModel;
  prepared: Pick<PreparedInputs, 'val' | 'test'>;
  toLabels: (uploads: Upload[]) => number[];
  labels: string[];
}

/** The test metrics a job reports and publishes. */
export interface Evaluation {
  /** Fitted on the validation split; 1 without one. */
  temperature: number;
  summary: TrainingResult['metrics'];
  /** Calibrated; absent when there is nothing to test on. */
  test?: EvaluationReport;
  testUncalibrated?: Pick<EvaluationReport, 'ece' | 'reliability' | 'nll'>;
  /** The predicted class of every test upload, in order. */
  testPredictions: number[];
}

/**
 * Evaluates the trained model on the test split (the validation split when there is none), calibrated with the
 * temperature fitted on the validation split (1 without one); NaN metrics when there is nothing to test on.
 *
 * @example
 * ```ts
 * const evaluation = evaluateSplits({ model: result.model, prepared, toLabels, labels: index.labels });
 * console.log(evaluation.summary.accuracy, evaluation.temperature);
 * ```
 */
export function evaluateSplits({ model, prepared, toLabels, labels }: EvaluateArgs): Evaluation {
  const scores = (split?: PreparedSplit) =>
    split ? (computeActivations(model, split.x, PREDICT_BATCH_SIZE) as tf.Tensor2D) : undefined;
  const valScores = scores(prepared.val);
  const testScores = scores(prepared.test ?? prepared.val);
  const evalSplit = prepared.test ?? prepared.val;
  try {
    let temperature = 1;
    if (valScores && prepared.val)
      temperature = fitTemperature(
        toLogits(valScores.arraySync()),
        toLabels(prepared.val.uploads),
      ).temperature;
    if (!testScores || !evalSplit) {
      return {
        temperature,
        summary: {
          accuracy: Number.NaN,
          macroF1: Number.NaN,
          ece: Number.NaN,
          eceCalibrated: Number.NaN,
          temperature,
        },
        test: undefined,
        testUncalibrated: undefined,
        testPredictions: [],
      };
    }
    const rows = testScores.arraySync();
    const truth = toLabels(evalSplit.uploads);
    const uncalibrated = evaluate(rows, truth, labels);
    const calibrated = evaluate(toLogits(rows), truth, labels, { kind: 'logits', temperature });
    const testPredictions = rows.map((row) => row.indexOf(Math.max(...row)));
    return {
      temperature,
      summary: {
        accuracy: calibrated.accuracy,
        macroF1: calibrated.macroF1,
        ece: uncalibrated.ece,
        eceCalibrated: calibrated.ece,
        temperature,
      },
      test: calibrated,
      testUncalibrated: {
        ece: uncalibrated.ece,
        reliability: uncalibrated.reliability,
        nll: uncalibrated.nll,
      },
      testPredictions,
    };
  } finally {
    tf.dispose([valScores, testScores].filter((t): t is tf.Tensor2D => t !== undefined));
  }
}
