/**
 * `graft bench trunk`: MobileNetV2 trunk ms/image at several input sizes and batch sizes — the compiled trunk
 * (folded batch norm, fused ops) against tfjs-layers `predict` on the same wasm backend, timed interleaved so both
 * see the same machine load, and tfjs-layers on the pure-JS cpu backend for a few single images. Also the share of
 * this CPU's wasm peak the compiled trunk reaches (peak = the best of square matMul and a
 * pointwise convolution, measured before and after the trunks).
 */

import { numberFlag } from '@graft/cli';
import { compileTrunk, loadBackbone, splitBackbone } from '@graft/core';
import { initBackend, tf } from '@graft/runtime';
import { measureMatmulPeak } from '../kernels/matmul-peak.js';
import { listFlag, median, round } from './bench-stats.js';
import { countFlops } from './trunk-flops.js';
import type { BenchRun } from './types.js';

/** One measured (input size, batch) combination; ms per image, medians. */
export interface TrunkRow {
  inputSize: number;
  batch: number;
  compiled: number;
  layers: number;
  cpu?: number;
  speedupVsLayers: number;
  /** Multiply-adds × 2 of one image through the trunk. */
  mflops: number;
  /** GFLOP/s the compiled trunk reaches here. */
  gflops: number;
}

/** A smooth photo-like pattern in [-1, 1] (not zeros: some kernels shortcut on zeros). */
function pattern(size: number, batch: number): tf.Tensor4D {
  return tf.tidy(() => {
    const r = tf.linspace(-1, 1, size);
    const yy = r.reshape([size, 1, 1]).tile([1, size, 1]);
    const xx = r.reshape([1, size, 1]).tile([size, 1, 1]);
    const img = tf.concat([tf.sin(yy.mul(3)), tf.cos(xx.mul(5)), yy.mul(xx)], 2);
    return img.expandDims(0).tile([batch, 1, 1, 1]) as tf.Tensor4D;
  });
}

function timeOnce(run: () => tf.Tensor): number {
  const t0 = performance.now();
  const out = run();
  out.dataSync();
  out.dispose();
  return performance.now() - t0;
}

/** Compiled vs layers on the active (wasm) backend at one size/batch, alternating which goes first. */
async function measureWasm(inputSize: number, batch: number, iterations: number) {
  const backbone = await loadBackbone({ kind: 'default' }, { inputSize });
  const x = pattern(inputSize, batch);
  try {
    const { trunk } = splitBackbone(backbone, 'features');
    const compiled = compileTrunk(trunk);
    try {
      const layers = () => trunk.predict(x) as tf.Tensor;
      const fused = () => compiled.predict(x);
      timeOnce(layers);
      timeOnce(fused);
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < iterations; i++) {
        if (i % 2 === 0) {
          a.push(timeOnce(layers));
          b.push(timeOnce(fused));
        } else {
          b.push(timeOnce(fused));
          a.push(timeOnce(layers));
        }
      }
      return { layers: median(a) / batch, compiled: median(b) / batch, flops: countFlops(trunk) };
    } finally {
      compiled.dispose();
    }
  } finally {
    x.dispose();
    backbone.model.dispose();
  }
}

/** tfjs-layers on the pure-JS cpu backend, single images; restores the previous backend. */
async function measureCpu(inputSize: number, images: number): Promise<number> {
  const previous = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    const backbone = await loadBackbone({ kind: 'default' }, { inputSize });
    const x = pattern(inputSize, 1);
    try {
      const { trunk } = splitBackbone(backbone, 'features');
      const samples = Array.from({ length: images }, () => timeOnce(() => trunk.predict(x) as tf.Tensor));
      return median(samples);
    } finally {
      x.dispose();
      backbone.model.dispose();
    }
  } finally {
    await tf.setBackend(previous);
  }
}

/**
 * Flags: `--sizes 96,160,224`, `--batches 1,16`, `--iterations 10` (timed runs per contender and row),
 * `--cpu-images 2` (cpu-backend images per size at batch 1; 0 skips), `--peak-sizes 512,1024`.
 * The headline numbers are the 224 px batch-1 row (or the largest size measured at batch 1).
 *
 * @example
 * ```ts
 * const result = await run({ sizes: '96', batches: '1', iterations: '2', 'cpu-images': '1' }, console.log);
 * ```
 */
export const run: BenchRun = async (flags, log) => {
  const sizes = listFlag(flags, 'sizes', [96, 160, 224]);
  const batches = listFlag(flags, 'batches', [1, 16]);
  const iterations = Math.max(1, Math.round(numberFlag(flags, 'iterations', 10)));
  const cpuImages = Math.round(numberFlag(flags, 'cpu-images', 2));
  const peakSizes = listFlag(flags, 'peak-sizes', [512, 1024]);
  const info = await initBackend({ backend: 'wasm' });

  log(`matmul peak on wasm (${peakSizes.join(', ')}) …`);
  const peakBefore = measureMatmulPeak({ sizes: peakSizes, iterations: Math.max(3, iterations) });
  const rows: TrunkRow[] = [];
  for (const inputSize of sizes) {
    for (const batch of batches) {
      log(`trunk ${inputSize} px, batch ${batch}: compiled vs layers × ${iterations} …`);
      const m = await measureWasm(inputSize, batch, iterations);
      const row: TrunkRow = {
        inputSize,
        batch,
        compiled: round(m.compiled),
        layers: round(m.layers),
        speedupVsLayers: round(m.layers / m.compiled),
        mflops: round(m.flops / 1e6, 1),
        gflops: round(m.flops / (m.compiled * 1e6), 2),
      };
      if (batch === 1 && cpuImages > 0) {
        log(`trunk ${inputSize} px on the cpu backend × ${cpuImages} …`);
        row.cpu = round(await measureCpu(inputSize, cpuImages));
      }
      rows.push(row);
    }
  }
  // Peak measured before and after the trunks: the machine is shared, take the better of the two.
  const peakAfter = measureMatmulPeak({ sizes: peakSizes, iterations: Math.max(3, iterations) });
  const peakGflops = Math.max(peakBefore.gflops, peakAfter.gflops);

  const ones = rows.filter((r) => r.batch === 1);
  const head =
    ones.find((r) => r.inputSize === 224) ??
    [...(ones.length ? ones : rows)].sort((a, b) => b.inputSize - a.inputSize)[0]!;
  return {
    inputSize: head.inputSize,
    batch: head.batch,
    msPerImage: { compiled: head.compiled, layers: head.layers, cpu: head.cpu ?? null },
    speedupVsLayers: head.speedupVsLayers,
    speedupVsCpu: head.cpu === undefined ? null : round(head.cpu / head.compiled, 2),
    trunkGflops: head.gflops,
    peakGflops: round(peakGflops, 2),
    peakShare: round(head.gflops / peakGflops, 4),
    peak: {
      before: { matmul: peakBefore.sizes, pointwiseConvGflops: peakBefore.pointwiseConvGflops },
      after: { matmul: peakAfter.sizes, pointwiseConvGflops: peakAfter.pointwiseConvGflops },
    },
    backend: tf.getBackend(),
    simd: info.simd,
    iterations,
    cpuImages,
    rows,
  };
};
