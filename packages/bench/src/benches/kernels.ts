import { numberFlag } from '@graft/cli';
import { initBackend, tf } from '@graft/runtime';
import { compareKernelCase, kernelCases } from '../kernels/kernel-cases.js';
import { buildMnistCnn, mnistTensors, readMnistDigits } from '../kernels/mnist-cnn.js';
import type { BenchRun } from './types.js';

/** Options of {@link benchKernels}. */
export interface BenchKernelsOptions {
  /** Timed training steps on wasm (default 10). */
  steps?: number;
  /** Timed training steps on cpu (default 1: the cpu backend needs seconds per sample). */
  cpuSteps?: number;
  /** Batch size on wasm (default 32). */
  batchSize?: number;
  /** Batch size on cpu (default 4; cpu cost per sample does not depend on the batch). */
  cpuBatchSize?: number;
}

/** Result of {@link benchKernels}. */
export interface BenchKernelsResult {
  cases: number;
  maxRelError: number;
  samplesPerSec: { wasm: number; cpu: number };
  speedup: number;
}

async function fitThroughput(backend: string, steps: number, batchSize: number): Promise<number> {
  await tf.setBackend(backend);
  const sample = await readMnistDigits(Math.ceil((steps * batchSize) / 10));
  const { xs, ys } = mnistTensors(sample);
  const model = buildMnistCnn();
  try {
    // One untimed sample: builds the optimizer state and XNNPACK operators.
    const [x1, y1] = [xs.slice(0, 1), ys.slice(0, 1)];
    await model.fit(x1, y1, { batchSize: 1, epochs: 1, verbose: 0 });
    tf.dispose([x1, y1]);
    const n = steps * batchSize;
    const [x, y] = [xs.slice(0, n), ys.slice(0, n)];
    const t0 = performance.now();
    await model.fit(x, y, { batchSize, epochs: 1, verbose: 0, shuffle: false });
    const seconds = (performance.now() - t0) / 1000;
    tf.dispose([x, y]);
    return n / seconds;
  } finally {
    model.dispose();
    tf.dispose([xs, ys]);
  }
}

/**
 * Benchmarks Graft's wasm training kernels: (1) every case of the comparison grid against the
 * cpu backend (max relative error), (2) Keras MNIST CNN `model.fit` samples/s on wasm vs cpu,
 * side by side in one process. Leaves the wasm backend active.
 *
 * @example
 * ```ts
 * const r = await benchKernels({ steps: 10, cpuSteps: 1 });
 * console.log(r.maxRelError, r.samplesPerSec, r.speedup);
 * ```
 */
export async function benchKernels(options: BenchKernelsOptions = {}): Promise<BenchKernelsResult> {
  const { steps = 10, cpuSteps = 1, batchSize = 32, cpuBatchSize = 4 } = options;
  await initBackend({ backend: 'wasm' });
  const cases = kernelCases();
  let maxRelError = 0;
  for (const c of cases) {
    const { relError } = await compareKernelCase(c);
    if (!(relError <= maxRelError)) maxRelError = relError;
  }
  const cpu = await fitThroughput('cpu', Math.max(1, cpuSteps), cpuBatchSize);
  const wasm = await fitThroughput('wasm', Math.max(1, steps), batchSize);
  await tf.setBackend('wasm');
  return { cases: cases.length, maxRelError, samplesPerSec: { wasm, cpu }, speedup: wasm / cpu };
}

/** `graft bench kernels [--steps N] [--cpu-steps N]`: {@link benchKernels} with its flags. */
export const run: BenchRun = async (flags) => ({
  ...(await benchKernels({
    steps: numberFlag(flags, 'steps', 10),
    cpuSteps: numberFlag(flags, 'cpu-steps', 1),
  })),
});
