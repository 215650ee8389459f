/**
 * How well a score separates in-distribution from out-of-distribution images (higher score = more out).
 */

/**
 * Area under the ROC curve of "out" against "in" (ties count half): 1 separates perfectly, 0.5 is chance.
 *
 * @example
 * ```ts
 * auroc([0.1, 0.2], [0.9, 0.8]); // 1
 * ```
 */
export function auroc(inScores: readonly number[], outScores: readonly number[]): number {
  const all = [...inScores.map((s) => ({ s, out: false })), ...outScores.map((s) => ({ s, out: true }))].sort(
    (a, b) => a.s - b.s,
  );
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]!.s === all[i]!.s) j++;
    const rank = (i + j + 1) / 2;
    for (let t = i; t < j; t++) if (all[t]!.out) rankSum += rank;
    i = j;
  }
  const n = outScores.length;
  const m = inScores.length;
  return (rankSum - (n * (n + 1)) / 2) / (n * m);
}

/**
 * The share of out-of-distribution images accepted when the threshold keeps `tpr` (default 95 %) of the
 * in-distribution images (FPR at 95 % TPR).
 *
 * @example
 * ```ts
 * fprAtTpr([1, 2, 3, 4], [2.5, 10]); // 0.5
 * ```
 */
export function fprAtTpr(inScores: readonly number[], outScores: readonly number[], tpr = 0.95): number {
  const sorted = [...inScores].sort((a, b) => a - b);
  const threshold = sorted[Math.min(sorted.length - 1, Math.ceil(tpr * sorted.length) - 1)]!;
  return outScores.filter((s) => s <= threshold).length / outScores.length;
}
