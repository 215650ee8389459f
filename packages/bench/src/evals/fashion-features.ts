import { bundledManifest } from '@graft/backbones';
import { intFlag } from '@graft/cli';
import { type Backbone, type CutPoint, disposeWeights, findCut, loadBackbone } from '@graft/core';
import { ensureFashionMnist, loadFashionMnist } from '@graft/datasets';
import { initBackend } from '@graft/runtime';
import type { BenchRun } from '../benches/types.js';
import { trainFashionHead } from './shared/fashion-head.js';
import { concatColumns, extractPooledTaps } from './shared/pooled-taps.js';
import { round } from './shared/stats.js';
import { standardizeColumns } from './shared/trunk-features.js';

/**
 * `graft eval fashion-features`: feature extraction on the bundled backbone, at the cut and input size its metadata
 * names as the defaults (what a data set gets when it asks for none; `--cut L`, `--input-size N` measure others), over
 * Fashion-MNIST (`--train N`, `--test N`). The trunk runs once; the head of `graft eval fashion` (256 ReLU, dropout
 * 0.3, early stopping on 10 % of the training images) is trained twice: on the cut's pooled activations alone (the
 * product's feature extraction at that cut), and on them beside the pooled activations of the taps — by default the
 * widest cut at each of the two finer resolutions below the cut (`--taps a,b` names others, `--taps none` skips).
 * Measured on 6,000 / 2,000 images at 96 px: the default cut alone 0.854 (every other single cut ≤ 0.840; the
 * source-retrained top 0.757), with the taps 0.871.
 *
 * @example
 * ```ts
 * const result = await run({ train: '600', test: '200' }, console.log);
 * result.cutAlone; // test accuracy of the default cut's pooled features
 * ```
 */
export const run: BenchRun = async (flags, log) => {
  const started = performance.now();
  await initBackend();
  const manifest = await bundledManifest();
  const trainN = intFlag(flags, 'train', 60_000);
  const testN = intFlag(flags, 'test', 10_000);
  const inputSize = intFlag(flags, 'input-size', manifest.defaultInputSize);
  const seed = intFlag(flags, 'seed', 1);
  const cutName = typeof flags.cut === 'string' ? flags.cut : manifest.defaultCut;
  const dir = await ensureFashionMnist();
  const trainSet = await loadFashionMnist({ dir, split: 'train', limit: trainN });
  const testSet = await loadFashionMnist({ dir, split: 'test', limit: testN });
  const backbone = await loadBackbone({ kind: 'default' }, { inputSize });
  try {
    const cut = findCut(backbone, cutName);
    const taps =
      flags.taps === 'none'
        ? []
        : typeof flags.taps === 'string'
          ? flags.taps.split(',').map((t) => findCut(backbone, t))
          : finerTaps(backbone, cut);
    const layers = [...taps.map((t) => t.name), cut.name];
    log(
      `fashion-features: ${trainSet.labels.length} train + ${testSet.labels.length} test images at ${inputSize} px, pooled ${layers.join(', ')}`,
    );
    const trainF = await extractPooledTaps(backbone, trainSet.images, layers, { log });
    const testF = await extractPooledTaps(backbone, testSet.images, layers, { log });
    const n = trainSet.labels.length;
    const m = testSet.labels.length;
    const head = async (names: string[]) => {
      const dims = names.map((l) => trainF.dims[l]!);
      const width = dims.reduce((a, b) => a + b, 0);
      const x = concatColumns(
        names.map((l) => trainF.pooled[l]!),
        dims,
        n,
      );
      const t = concatColumns(
        names.map((l) => testF.pooled[l]!),
        dims,
        m,
      );
      standardizeColumns(x, width, [t]);
      const result = await trainFashionHead(
        { x, dim: width, labels: trainSet.labels },
        { x: t, dim: width, labels: testSet.labels },
        seed,
      );
      log(
        `  ${names.join(' + ')}: test accuracy ${result.accuracy.toFixed(4)} (${result.seconds.toFixed(0)} s)`,
      );
      return result;
    };
    const alone = await head([cut.name]);
    const withTaps = taps.length > 0 ? await head(layers) : undefined;
    return {
      backbone: manifest.id,
      inputSize,
      cut: cut.name,
      defaults: { cut: manifest.defaultCut, inputSize: manifest.defaultInputSize },
      taps: taps.map((t) => t.name),
      cutAlone: round(alone.accuracy),
      ...(withTaps ? { withTaps: round(withTaps.accuracy) } : {}),
      trainImages: n,
      testImages: m,
      trunkMsPerImage: round(trainF.msPerImage, 2),
      trainSeconds: {
        cutAlone: round(alone.seconds, 1),
        ...(withTaps ? { withTaps: round(withTaps.seconds, 1) } : {}),
      },
      seconds: round((performance.now() - started) / 1000, 1),
    };
  } finally {
    disposeWeights([backbone.model]);
  }
};

/**
 * The widest cut at each of the two resolutions finer than `cut`'s (the deepest on ties: the layer just before the
 * network downsamples), coarsest last: with MobileNetV2 at 96 px and `block_13_expand_relu`, `block_3_expand_relu`
 * and `block_6_expand_relu`.
 */
function finerTaps(backbone: Backbone, cut: CutPoint): CutPoint[] {
  const spatial = backbone.cuts.filter((c) => c.outputShape.length === 3 && c.index < cut.index);
  const levels = [...new Set(spatial.map((c) => c.outputShape[0]!))]
    .filter((h) => h > cut.outputShape[0]!)
    .sort((a, b) => a - b)
    .slice(0, 2);
  return levels
    .map((h) =>
      spatial
        .filter((c) => c.outputShape[0] === h)
        .reduce((best, c) => (c.outputShape[2]! >= best.outputShape[2]! ? c : best)),
    )
    .sort((a, b) => a.index - b.index);
}
