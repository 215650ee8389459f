/**
 * One bin of a reliability diagram.
 *
 * @example
 * ```ts
 * const bins: ReliabilityBin[] = evaluate(probs, labels, names).reliability;
 * ```
 */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean top-class probability of the samples in the bin (0 when empty). */
  confidence: number;
  /** Fraction of the samples in the bin whose top class is right (0 when empty). */
  accuracy: number;
}

/**
 * Reliability bins over the top-class probability, `bins` equal-width bins on (0, 1] (Guo et al. 2017).
 *
 * @example
 * ```ts
 * reliabilityBins([[0.9, 0.1]], [0], 15)[13]; // { lower: 0.867, upper: 0.933, count: 1, confidence: 0.9, accuracy: 1 }
 * ```
 */
export function reliabilityBins(probs: number[][], labels: ArrayLike<number>, bins = 15): ReliabilityBin[] {
  const out: ReliabilityBin[] = Array.from({ length: bins }, (_, i) => ({
    lower: i / bins,
    upper: (i + 1) / bins,
    count: 0,
    confidence: 0,
    accuracy: 0,
  }));
  probs.forEach((row, i) => {
    let top = 0;
    for (let c = 1; c < row.length; c++) if (row[c]! > row[top]!) top = c;
    const conf = row[top]!;
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(conf * bins) - 1));
    const bin = out[b]!;
    bin.count++;
    bin.confidence += conf;
    bin.accuracy += top === labels[i] ? 1 : 0;
  });
  for (const bin of out) {
    if (bin.count > 0) {
      bin.confidence /= bin.count;
      bin.accuracy /= bin.count;
    }
  }
  return out;
}

/**
 * Expected calibration error: `Σ_b (n_b / n) · |accuracy_b − confidence_b|`.
 *
 * @example
 * ```ts
 * expectedCalibrationError(reliabilityBins(probs, labels)); // e.g. 0.04
 * ```
 */
export function expectedCalibrationError(bins: ReliabilityBin[]): number {
  const n = bins.reduce((a, b) => a + b.count, 0);
  if (n === 0) return 0;
  return bins.reduce((a, b) => a + (b.count / n) * Math.abs(b.accuracy - b.confidence), 0);
}
