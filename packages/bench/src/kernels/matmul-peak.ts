import { tf } from '@graft/runtime';

/** Result of {@link measureMatmulPeak}: the best median GFLOP/s over the sizes tried and a pointwise convolution. */
export interface MatmulPeak {
  /** Best median over the sizes, in GFLOP/s (2·n³ floating-point operations per n×n product). */
  gflops: number;
  /** Backend the products ran on. */
  backend: string;
  /** Median ms and GFLOP/s per size. */
  sizes: { n: number; ms: number; gflops: number }[];
  /**
   * A 1×1 convolution as a GEMM through the convolution path the trunk uses (XNNPACK on wasm):
   * `[1, 56, 56, 256] * [1, 1, 256, 256]`, median GFLOP/s.
   */
  pointwiseConvGflops: number;
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
  const pointwiseConvGflops = pointwiseConv(iterations);
  return {
    gflops: Math.max(pointwiseConvGflops, ...rows.map((r) => r.gflops)),
    backend: tf.getBackend(),
    sizes: rows,
    pointwiseConvGflops,
  };
}

function pointwiseConv(iterations: number): number {
  const [hw, c] = [56, 256];
  const x = tf.randomUniform([1, hw, hw, c], -1, 1) as tf.Tensor4D;
  const w = tf.randomUniform([1, 1, c, c], -1, 1) as tf.Tensor4D;
  try {
    const once = () => {
      const t0 = performance.now();
      const y = tf.conv2d(x, w, 1, 'same');
      y.dataSync();
      y.dispose();
      return performance.now() - t0;
    };
    once();
    const samples = Array.from({ length: iterations }, once).sort((a, b) => a - b);
    return (2 * hw * hw * c * c) / (samples[samples.length >> 1]! * 1e6);
  } finally {
    tf.dispose([x, w]);
  }
}
