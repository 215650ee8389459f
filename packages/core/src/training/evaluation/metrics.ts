import { InvalidTrainingInputError } from '../errors.js';
import { expectedCalibrationError, type ReliabilityBin, reliabilityBins } from './calibration.js';
import { type ScoreKind, type Scores, toProbabilities, toRows } from './scores.js';

/**
 * Precision, recall, F1 and support of one class.
 *
 * @example
 * ```ts
 * const [cat]: ClassMetrics[] = evaluate(probs, labels, ['cat', 'dog']).perClass; // cat.f1
 * ```
 */
export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/**
 * Everything {@link evaluate} measures.
 *
 * @example
 * ```ts
 * const report: EvaluationReport = evaluate(probs, labels, classNames);
 * console.log(report.accuracy, report.ece);
 * ```
 */
export interface EvaluationReport {
  accuracy: number;
  /** Unweighted mean F1 over classes with support. */
  macroF1: number;
  perClass: ClassMetrics[];
  /** `confusion[true][predicted]` counts. */
  confusion: number[][];
  /** Expected calibration error over 15 bins. */
  ece: number;
  reliability: ReliabilityBin[];
  /** Mean negative log-likelihood of the true class. */
  nll: number;
  count: number;
}

/**
 * Evaluates predictions against labels: accuracy, per-class precision/recall/F1/support, confusion matrix,
 * expected calibration error (15 bins), reliability bins and NLL. Accepts probabilities or logits
 * (`kind: 'auto'` decides by whether rows are distributions). Precision of a never-predicted class is 0.
 *
 * @example
 * ```ts
 * const report = evaluate([[0.9, 0.1], [0.3, 0.7]], [0, 0], ['cat', 'dog']);
 * report.accuracy; // 0.5
 * ```
 */
export function evaluate(
  scores: Scores,
  labels: ArrayLike<number>,
  classNames: string[],
  options: { kind?: ScoreKind; temperature?: number; bins?: number } = {},
): EvaluationReport {
  const rows = toRows(scores);
  const k = classNames.length;
  if (rows.length !== labels.length)
    throw new InvalidTrainingInputError(`${rows.length} score rows but ${labels.length} labels`);
  if (rows.some((r) => r.length !== k))
    throw new InvalidTrainingInputError(`every score row needs ${k} entries`);
  const probs = toProbabilities(rows, options.kind ?? 'auto', options.temperature ?? 1);
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  let nll = 0;
  probs.forEach((p, i) => {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= k)
      throw new InvalidTrainingInputError(`label ${y} out of range`);
    let top = 0;
    for (let c = 1; c < k; c++) if (p[c]! > p[top]!) top = c;
    confusion[y]![top]!++;
    if (top === y) correct++;
    nll -= Math.log(Math.max(p[y]!, 1e-12));
  });
  const perClass = classNames.map((label, c) => {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[c]!, 0);
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support };
  });
  const withSupport = perClass.filter((m) => m.support > 0);
  const reliability = reliabilityBins(probs, labels, options.bins ?? 15);
  const n = rows.length;
  return {
    accuracy: n === 0 ? 0 : correct / n,
    macroF1: withSupport.length === 0 ? 0 : withSupport.reduce((a, m) => a + m.f1, 0) / withSupport.length,
    perClass,
    confusion,
    ece: expectedCalibrationError(reliability),
    reliability,
    nll: n === 0 ? 0 : nll / n,
    count: n,
  };
}
