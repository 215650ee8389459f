/**
 * Latencies counted in logarithmic buckets (1 % wide, 0.05 ms to ~100 s): fixed memory however many requests are
 * recorded, percentiles within 1 %. The soak runs the API in its own process, so a list of every request's latency
 * would grow the very heap it measures (232,309 samples kept as objects: ~19 MB over 30 minutes).
 *
 * @example
 * ```ts
 * const h = new LatencyHistogram();
 * h.record(12.5);
 * h.percentile(99); // ≈ 12.5
 * ```
 */
export class LatencyHistogram {
  private static readonly MIN_MS = 0.05;
  private static readonly GROWTH = Math.log(1.01);
  private static readonly BUCKETS = 1500;
  private readonly counts = new Float64Array(LatencyHistogram.BUCKETS);
  private total = 0;

  /** Counts one latency (ms). */
  record(ms: number): void {
    const index = Math.floor(
      Math.log(Math.max(ms, LatencyHistogram.MIN_MS) / LatencyHistogram.MIN_MS) / LatencyHistogram.GROWTH,
    );
    this.counts[Math.min(LatencyHistogram.BUCKETS - 1, index)]!++;
    this.total++;
  }

  /** How many latencies were recorded. */
  get count(): number {
    return this.total;
  }

  /** The p-th percentile (0–100): the middle of the bucket holding that rank; NaN when empty. */
  percentile(p: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < LatencyHistogram.BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return LatencyHistogram.MIN_MS * Math.exp((i + 0.5) * LatencyHistogram.GROWTH);
    }
    return Number.NaN;
  }
}
