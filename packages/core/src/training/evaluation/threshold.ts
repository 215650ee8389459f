import { type ScoreKind, type Scores, toProbabilities, toRows } from './scores.js';

/**
 * One calibrated prediction.
 *
 * @example
 * ```ts
 * const [p]: ThresholdedPrediction[] = predictWithThreshold(probs, names, { threshold: 0.6 });
 * ```
 */
export interface ThresholdedPrediction {
  label: string;
  index: number;
  score: number;
  /** True when the top calibrated probability is below the threshold. */
  unknown: boolean;
  /** All classes, best first. */
  ranked: { label: string; score: number }[];
}

/**
 * Calibrated top-class predictions with an "unknown" flag: scores are divided by `temperature` (logits) before
 * the softmax, and `unknown` is set when the top probability is below `threshold`.
 *
 * @example
 * ```ts
 * predictWithThreshold([[2.0, 1.8]], ['cat', 'dog'], { threshold: 0.7, kind: 'logits' })[0].unknown; // true
 * ```
 */
export function predictWithThreshold(
  scores: Scores,
  classNames: string[],
  options: { threshold?: number; temperature?: number; kind?: ScoreKind } = {},
): ThresholdedPrediction[] {
  const threshold = options.threshold ?? 0.5;
  return toProbabilities(toRows(scores), options.kind ?? 'auto', options.temperature ?? 1).map((p) => {
    const ranked = p
      .map((score, i) => ({ label: classNames[i] ?? String(i), score, i }))
      .sort((x, y) => y.score - x.score);
    const top = ranked[0]!;
    return {
      label: top.label,
      index: top.i,
      score: top.score,
      unknown: top.score < threshold,
      ranked: ranked.map(({ label, score }) => ({ label, score })),
    };
  });
}
