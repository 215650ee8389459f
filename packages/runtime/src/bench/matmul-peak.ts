import * as tf from '@tensorflow/tfjs';

/** Result of {@link measureMatmulPeak}: the best median GFLOP/s over the sizes tried. */
export interface MatmulPeak {
  /** Best median over the sizes, in GFLOP/s (2·n³ floating-point operations per n×n product). */
  gflops: number;
  /** Backend the products ran on. */
  backend: string;
  /** Median ms and GFLOP/s per size. */
  sizes: { n: number; ms: number; gflops: number }[];
}

/**
 * Measures the active backend's practical peak with square `tf.matMul` products (one warm-up, then the median of
 * `iterations` timed runs per size). On the wasm backend this is XNNPACK's SIMD GEMM on one thread — the ceiling
 * any convolution can reach there.
 *
 * @example
 * ```ts
 * const peak = measureMatmulPeak({ sizes: [512, 1024], iterations: 5 });
 * console.log(`${peak.gflops.toFixed(1)} GFLOP/s on ${peak.backend}`);
 * ```
 */
export function measureMatmulPeak(options: { sizes?: number[]; iterations?: number } = {}): MatmulPeak {
  const sizes = options.sizes ?? [512, 1024];
  const iterations = Math.max(1, options.iterations ?? 5);
  const rows = sizes.map((n) => {
    const a = tf.randomUniform([n, n], -1, 1);
    const b = tf.randomUniform([n, n], -1, 1);
    try {
      const once = () => {
        const t0 = performance.now();
        const c = tf.matMul(a, b);
        c.dataSync();
        c.dispose();
        return performance.now() - t0;
      };
      once();
      const samples = Array.from({ length: iterations }, once).sort((x, y) => x - y);
      const ms = samples[samples.length >> 1]!;
      return { n, ms, gflops: (2 * n ** 3) / (ms * 1e6) };
    } finally {
      tf.dispose([a, b]);
    }
  });
  return { gflops: Math.max(...rows.map((r) => r.gflops)), backend: tf.getBackend(), sizes: rows };
}
