import { tf } from '@graft/runtime';
import { modelGraph } from '../../backbone/graph.js';
import { backboneFromModel, compileTrunk, disposeWeights, splitBackbone } from '../../backbone/index.js';
import { InvalidBundleError, InvalidTrainingInputError } from '../errors.js';
import { predictWithThreshold } from '../evaluation/threshold.js';
import { HEAD_PREFIX } from '../head.js';
import type { Bundle } from './create-bundle.js';
import type { GraftMeta } from './meta.js';

/**
 * One image's classification.
 *
 * @example
 * ```ts
 * const [c]: Classification[] = await served.classify(batch, { topK: 3 }); // c.top[0].label, c.unknown
 * ```
 */
export interface Classification {
  /** Best classes first (calibrated probabilities). */
  top: { label: string; score: number }[];
  /** True when the best calibrated probability is below the threshold. */
  unknown: boolean;
}

/**
 * A bundle ready to serve.
 *
 * @example
 * ```ts
 * const served: LoadedBundle = await loadBundle(files);
 * const probs = served.predict(batch);
 * probs.dispose();
 * served.dispose();
 * ```
 */
export interface LoadedBundle {
  meta: GraftMeta;
  /** The full layers model (image → uncalibrated probabilities). */
  model: tf.LayersModel;
  /** Calibrated probabilities `[n, classes]` for preprocessed images `[n, size, size, channels]`; caller disposes. */
  predict(images: tf.Tensor4D): tf.Tensor2D;
  /** Top-k labels with an unknown flag per image. */
  classify(images: tf.Tensor4D, options?: { topK?: number; threshold?: number }): Promise<Classification[]>;
  dispose(): void;
}

/** Shape (without batch) of the tensor the first head layer reads in `model`. */
function headInputShape(model: tf.LayersModel): number[] | undefined {
  const node = modelGraph(model).nodes.find((n) => n.layer.name.startsWith(HEAD_PREFIX));
  const shape = node?.inputs[0]?.shape.slice(1);
  return shape?.every((d) => typeof d === 'number') ? (shape as number[]) : undefined;
}

function headModel(model: tf.LayersModel, featuresShape: number[]): tf.LayersModel {
  const layers = model.layers.filter((l) => l.name.startsWith(HEAD_PREFIX));
  if (layers.length === 0) throw new InvalidBundleError(`no '${HEAD_PREFIX}*' head layers in the model`);
  const input = tf.input({ shape: featuresShape });
  let y: tf.SymbolicTensor = input;
  for (const layer of layers) y = layer.apply(y) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: y, name: 'graft_serving_head' });
}

/**
 * Prepares a bundle for serving: the trunk up to the bundle's cut is compiled with `compileTrunk` (BatchNorm
 * folded, activations fused), the trained upper layers and the head run as layers, and the output is
 * calibrated with the bundle's temperature. Takes ownership of `bundle.model`.
 *
 * @example
 * ```ts
 * const served = openBundle(await bundleFromFiles(files));
 * const probs = served.predict(batch); // [n, classes]
 * ```
 */
export function openBundle(bundle: Bundle): LoadedBundle {
  const { model, meta } = bundle;
  const units = model.outputs[0]!.shape.at(-1);
  if (units !== meta.labels.length)
    throw new InvalidBundleError(
      `the model has ${units} outputs but graft.json lists ${meta.labels.length} labels`,
    );
  const backbone = backboneFromModel(model, {
    name: meta.backbone.name,
    featuresLayer: meta.backbone.featuresLayer,
    preprocessing: meta.input.preprocessing,
    inputSize: meta.input.size,
  });
  const cut = backbone.cuts.some((c) => c.name === meta.cut) ? meta.cut : 'features';
  const split = splitBackbone(backbone, cut);
  // A head that pools itself (freeze-k with its upper layers replaced) takes the activations at the cut.
  const headInput = headInputShape(model);
  const head = headModel(model, headInput ?? backbone.cuts.at(-1)!.outputShape);
  const upper = headInput && headInput.length === 3 ? undefined : split.upper;
  const compiled = compileTrunk(split.trunk);
  const t = meta.temperature;
  const expected = [meta.input.size, meta.input.size, meta.input.channels].join();

  const predict = (images: tf.Tensor4D): tf.Tensor2D => {
    if (images.rank !== 4 || images.shape.slice(1).join() !== expected)
      throw new InvalidTrainingInputError(`images must be [n, ${expected}], got [${images.shape}]`);
    return tf.tidy(() => {
      let x = compiled.predict(images);
      if (upper) x = upper.predict(x) as tf.Tensor;
      const probs = head.predict(x) as tf.Tensor2D;
      return t === 1 ? probs : (tf.softmax(tf.div(tf.log(tf.maximum(probs, 1e-12)), t)) as tf.Tensor2D);
    });
  };

  return {
    meta,
    model,
    predict,
    async classify(images, options = {}) {
      const probs = predict(images);
      const rows = (await probs.array()) as number[][];
      probs.dispose();
      return predictWithThreshold(rows, meta.labels, {
        threshold: options.threshold ?? 0.5,
        kind: 'probs',
      }).map((p) => ({ top: p.ranked.slice(0, options.topK ?? 5), unknown: p.unknown }));
    },
    dispose() {
      compiled.dispose();
      // The serving head and the split trunk share layers with `model`: free every weight exactly once.
      disposeWeights([model, head, split.trunk, split.upper ?? undefined, backbone.model]);
    },
  };
}
