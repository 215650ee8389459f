import type { RunModule } from './types.js';

/**
 * Every benchmark by name, in the order `graft bench all` runs them. To add one: write `src/benches/<name>.ts`
 * exporting `run: BenchRun`, add a line here, and (for its flags) a line in `commands/bench.ts`'s options.
 *
 * @example
 * ```ts
 * const { run } = await benches.trunk();
 * const result = await run({ sizes: '96' }, console.log);
 * ```
 */
export const benches = {
  /** Graft's wasm training kernels against the cpu backend: correctness and MNIST CNN samples/s. */
  kernels: () => import('./kernels.js'),
  /** MobileNetV2 trunk: compiled vs tfjs-layers vs cpu, and the share of the wasm matmul peak. */
  trunk: () => import('./trunk.js'),
  /** Training throughput of conv layers on wasm vs cpu. */
  train: () => import('./train.js'),
  /** The extraction fan-out: uploads → features, against the raw trunk on the same images. */
  pipeline: () => import('./pipeline.js'),
  /** The prediction API: latency and throughput at several concurrencies, cold start, memory. */
  api: () => import('./api.js'),
  /** The prediction API in workerd (edge build) against the Node API: cold start, p50 ratio, bundle size, memory. */
  edge: () => import('./edge.js'),
  /** Faults: injected S3 failures in the pipeline and model swaps under load. */
  faults: () => import('./faults.js'),
  /** Soak: the local stack under mixed load (predictions, report pages, trainings that publish) for minutes. */
  soak: () => import('./soak.js'),
  /** A seeded mutation fuzzer: images through the decoders and the predict route, JSON bodies to every route. */
  fuzz: () => import('./fuzz.js'),
} satisfies Record<string, RunModule>;
