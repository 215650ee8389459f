/**
 * `graft bench train`: convolution training throughput (samples/s of `model.fit`) on the wasm backend with Graft's
 * registered gradient kernels against tfjs's pure-JS cpu backend, both in one process, in interleaved rounds:
 * (a) the Keras MNIST CNN on real digits, (b) MobileNetV2 blocks 14–16 plus a new dense head trained over cached
 * activations (the backbone cut at `block_13_project_BN`, 96 px: activations of shape 3×3×160).
 */

import { numberFlag } from '@graft/cli';
import { disposeWeights, loadBackbone, splitBackbone } from '@graft/core';
import { initBackend, tf } from '@graft/runtime';
import { buildMnistCnn, mnistTensors, readMnistDigits } from '../kernels/mnist-cnn.js';
import { geomean, median, round } from './bench-stats.js';
import type { BenchRun } from './types.js';

/** Where the MobileNetV2 upper part starts (the cut before block 14) and the size its activations come from. */
export const UPPER_CUT = 'block_13_project_BN';
const UPPER_INPUT_SIZE = 96;

/** A model that can be fitted on one backend, with the data it is fitted on. */
interface Contender {
  fit(samples: number, batchSize: number): Promise<number>;
  dispose(): void;
}

/** Times `model.fit` over the first `samples` rows (one epoch, no shuffling) and returns samples/s. */
async function timedFit(
  model: tf.LayersModel,
  xs: tf.Tensor,
  ys: tf.Tensor,
  samples: number,
  batchSize: number,
) {
  const n = Math.min(samples, xs.shape[0]);
  const [x, y] = [xs.slice(0, n), ys.slice(0, n)];
  try {
    const t0 = performance.now();
    await model.fit(x, y, { batchSize, epochs: 1, verbose: 0, shuffle: false });
    return n / ((performance.now() - t0) / 1000);
  } finally {
    tf.dispose([x, y]);
  }
}

/** Warms up on wasm (one sample: builds optimizer state and XNNPACK operators), then serves timed fits. */
async function contender(
  model: tf.LayersModel,
  xs: tf.Tensor,
  ys: tf.Tensor,
  free: () => void,
): Promise<Contender> {
  // The cpu backend is skipped: it takes seconds per sample, and has no operator caches to build.
  if (tf.getBackend() !== 'cpu') await timedFit(model, xs, ys, 1, 1);
  return {
    fit: (samples, batchSize) => timedFit(model, xs, ys, samples, batchSize),
    dispose() {
      model.optimizer?.dispose();
      tf.dispose([xs, ys]);
      free();
    },
  };
}

async function mnistContender(samples: number): Promise<Contender> {
  const { xs, ys } = mnistTensors(await readMnistDigits(Math.ceil(samples / 10)));
  const model = buildMnistCnn();
  return contender(model, xs, ys, () => model.dispose());
}

async function upperContender(samples: number): Promise<Contender> {
  const backbone = await loadBackbone({ kind: 'default' }, { inputSize: UPPER_INPUT_SIZE });
  const { upper } = splitBackbone(backbone, UPPER_CUT);
  if (!upper) throw new Error(`cut ${UPPER_CUT} leaves no upper part`);
  const head = tf.layers.dense({ units: 10, activation: 'softmax', name: 'bench_head' });
  const model = tf.model({
    inputs: upper.inputs,
    outputs: head.apply(upper.outputs[0]!) as tf.SymbolicTensor,
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const shape = upper.inputs[0]!.shape.slice(1) as number[];
  const { xs, ys } = tf.tidy(() => ({
    // Post-projection activations are linear (no ReLU): roughly zero-mean, unit-variance.
    xs: tf.randomNormal([samples, ...shape], 0, 1, 'float32', 7),
    ys: tf.oneHot(tf.randomUniform([samples], 0, 10, 'int32', 11) as tf.Tensor1D, 10).toFloat(),
  }));
  return contender(model, xs, ys, () => disposeWeights([backbone.model, model]));
}

interface Workload {
  model: string;
  make(samples: number): Promise<Contender>;
  wasm: { samples: number; batchSize: number };
  cpu: { samples: number; batchSize: number };
}

/** Builds both contenders, then alternates cpu and wasm rounds; returns median samples/s of each. */
async function compare(w: Workload, rounds: number, log: (m: string) => void) {
  await tf.setBackend('cpu');
  const cpu = await w.make(w.cpu.samples);
  await tf.setBackend('wasm');
  const wasm = await w.make(w.wasm.samples);
  const results = { wasm: [] as number[], cpu: [] as number[] };
  try {
    for (let r = 0; r < rounds; r++) {
      for (const backend of r % 2 === 0 ? (['cpu', 'wasm'] as const) : (['wasm', 'cpu'] as const)) {
        await tf.setBackend(backend);
        const c = backend === 'cpu' ? cpu : wasm;
        const sps = await c.fit(w[backend].samples, w[backend].batchSize);
        results[backend].push(sps);
        log(`${w.model} round ${r + 1}/${rounds} ${backend}: ${sps.toFixed(2)} samples/s`);
      }
    }
  } finally {
    await tf.setBackend('cpu');
    cpu.dispose();
    await tf.setBackend('wasm');
    wasm.dispose();
  }
  const row = { model: w.model, wasm: median(results.wasm), cpu: median(results.cpu) };
  return { ...row, speedup: row.wasm / row.cpu, samples: results };
}

/**
 * Flags: `--rounds 3` (interleaved cpu/wasm rounds), `--steps 4` (wasm batches per round), `--batch 32` (wasm batch
 * size), `--cpu-samples 2` (samples per cpu round, one batch: the cpu backend needs seconds per sample). Top-level `samplesPerSec`/`speedup` are the
 * MNIST CNN's; `geomeanSpeedup` is over both models.
 *
 * @example
 * ```ts
 * const result = await run({ rounds: '1', steps: '1', 'cpu-samples': '1' }, console.log);
 * ```
 */
export const run: BenchRun = async (flags, log) => {
  const rounds = Math.max(1, Math.round(numberFlag(flags, 'rounds', 3)));
  const steps = Math.max(1, Math.round(numberFlag(flags, 'steps', 4)));
  const cpuSamples = Math.max(1, Math.round(numberFlag(flags, 'cpu-samples', 2)));
  const batchSize = Math.max(1, Math.round(numberFlag(flags, 'batch', 32)));
  await initBackend({ backend: 'wasm' });
  const workloads: Workload[] = [
    {
      model: 'mnist-cnn',
      make: mnistContender,
      wasm: { samples: steps * batchSize, batchSize },
      cpu: { samples: cpuSamples, batchSize: cpuSamples },
    },
    {
      model: 'mobilenet_v2-blocks14-16+head',
      make: upperContender,
      wasm: { samples: steps * batchSize, batchSize },
      cpu: { samples: cpuSamples, batchSize: cpuSamples },
    },
  ];
  const rows = [];
  for (const w of workloads) rows.push(await compare(w, rounds, log));
  const [mnist] = rows;
  return {
    samplesPerSec: { wasm: round(mnist!.wasm, 2), cpu: round(mnist!.cpu, 3) },
    speedup: round(mnist!.speedup, 1),
    topLevel: 'mnist-cnn',
    geomeanSpeedup: round(geomean(rows.map((r) => r.speedup)), 1),
    upperCut: UPPER_CUT,
    upperInputSize: UPPER_INPUT_SIZE,
    rounds,
    wasmBatch: batchSize,
    cpuSamples,
    rows: rows.map((r) => ({
      model: r.model,
      wasm: round(r.wasm, 2),
      cpu: round(r.cpu, 3),
      speedup: round(r.speedup, 1),
      rounds: { wasm: r.samples.wasm.map((v) => round(v, 2)), cpu: r.samples.cpu.map((v) => round(v, 3)) },
    })),
    backend: tf.getBackend(),
  };
};
