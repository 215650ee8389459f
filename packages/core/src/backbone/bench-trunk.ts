import { initBackend, tf } from '@graft/runtime';
import { compileTrunk } from './compile-trunk.js';
import { loadBackbone } from './load-backbone.js';
import { splitBackbone } from './split-backbone.js';

/**
 * Options of {@link benchTrunk}.
 *
 * @example
 * ```ts
 * const options: BenchTrunkOptions = { inputSize: 96, batch: 1, iterations: 10, cpuImages: 1 };
 * ```
 */
export interface BenchTrunkOptions {
  inputSize: number;
  batch: number;
  /** How many images to time on the pure-JS cpu backend (0 skips it); default 1. */
  cpuImages?: number;
  /** Timed runs per variant after one warm-up run (the median is reported); default 10. */
  iterations?: number;
  /** Cut whose trunk is timed; default 'features' (the whole backbone). */
  cut?: string;
}

/**
 * Result of {@link benchTrunk}: median milliseconds per image and speed-ups.
 *
 * @example
 * ```ts
 * const r: BenchTrunkResult = await benchTrunk({ inputSize: 224, batch: 1 });
 * ```
 */
export interface BenchTrunkResult {
  msPerImage: { compiled: number; layers: number; cpu: number | null };
  speedupVsLayers: number;
  speedupVsCpu: number | null;
  backend: string;
  iterations: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function time(run: () => tf.Tensor, iterations: number): number {
  run().dispose();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    const out = run();
    out.dataSync();
    out.dispose();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

function input(size: number, batch: number): tf.Tensor4D {
  // A smooth, photo-like gradient pattern in [-1, 1] (not zeros: some kernels shortcut on zeros).
  return tf.tidy(() => {
    const r = tf.linspace(-1, 1, size);
    const yy = r.reshape([size, 1, 1]).tile([1, size, 1]);
    const xx = r.reshape([1, size, 1]).tile([size, 1, 1]);
    const img = tf.concat([tf.sin(yy.mul(3)), tf.cos(xx.mul(5)), yy.mul(xx)], 2);
    return img.expandDims(0).tile([batch, 1, 1, 1]) as tf.Tensor4D;
  });
}

/**
 * Times the bundled MobileNetV2 trunk three ways — compiled (fused ops, wasm), tfjs-layers (wasm) and
 * tfjs-layers on the pure-JS cpu backend — and reports the median ms per image. The cpu backend is only
 * used for `cpuImages` single-image runs; the wasm backend is restored afterwards (also on error).
 *
 * @example
 * ```ts
 * const r = await benchTrunk({ inputSize: 96, batch: 1 });
 * console.log(r.msPerImage, r.speedupVsLayers);
 * ```
 */
export async function benchTrunk(options: BenchTrunkOptions): Promise<BenchTrunkResult> {
  const iterations = Math.max(1, options.iterations ?? 10);
  const batch = Math.max(1, Math.floor(options.batch));
  await initBackend();
  const backend = tf.getBackend();
  const backbone = await loadBackbone({ kind: 'default' }, { inputSize: options.inputSize });
  const x = input(options.inputSize, batch);
  let compiledMs: number;
  let layersMs: number;
  try {
    const { trunk } = splitBackbone(backbone, options.cut ?? 'features');
    const compiled = compileTrunk(trunk);
    try {
      layersMs = time(() => trunk.predict(x) as tf.Tensor, iterations) / batch;
      compiledMs = time(() => compiled.predict(x), iterations) / batch;
    } finally {
      compiled.dispose();
    }
  } finally {
    backbone.model.dispose();
  }
  let cpuMs: number | null = null;
  const cpuImages = options.cpuImages ?? 1;
  if (cpuImages > 0) {
    try {
      await tf.setBackend('cpu');
      const cpuBackbone = await loadBackbone({ kind: 'default' }, { inputSize: options.inputSize });
      const one = x.slice([0, 0, 0, 0], [1, options.inputSize, options.inputSize, 3]);
      try {
        const { trunk } = splitBackbone(cpuBackbone, options.cut ?? 'features');
        cpuMs = time(() => trunk.predict(one) as tf.Tensor, cpuImages);
      } finally {
        one.dispose();
        cpuBackbone.model.dispose();
      }
    } finally {
      await tf.setBackend(backend);
    }
  }
  x.dispose();
  return {
    msPerImage: { compiled: compiledMs, layers: layersMs, cpu: cpuMs },
    speedupVsLayers: layersMs / compiledMs,
    speedupVsCpu: cpuMs === null ? null : cpuMs / compiledMs,
    backend,
    iterations,
  };
}
