/**
 * The score below which a share `keep` of in-distribution scores lies (linear interpolation between order
 * statistics): with `keep = 0.95`, 95 % of the validation images are accepted.
 *
 * @example
 * ```ts
 * keepThreshold([1, 2, 3, 4], 0.5); // 2.5
 * ```
 */
export function keepThreshold(scores: readonly number[], keep: number): number {
  const sorted = scores.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.POSITIVE_INFINITY;
  const at = keep * (sorted.length - 1);
  const low = Math.floor(at);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}
