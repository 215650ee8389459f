import { tf } from '@graft/runtime';
import { backboneFromModel } from '../../backbone/backbone-from-model.js';
import { compileTrunk } from '../../backbone/compile-trunk.js';
import { disposeWeights } from '../../backbone/dispose-weights.js';
import { modelGraph } from '../../backbone/graph.js';
import { splitBackbone } from '../../backbone/split-backbone.js';
import { scoreOod } from '../../ood/scores.js';
import { toMatrix } from '../../ood/taps.js';
import type { Matrix, OodMethod, OodStats, OodVerdict } from '../../ood/types.js';
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
  /**
   * True when the image looks like none of the labels: its OOD score is above the threshold (or, for a bundle
   * without OOD data, the best calibrated probability is below the confidence threshold).
   */
  unknown: boolean;
  /** The out-of-distribution verdict; `null` for bundles made before `ood.bin` existed. */
  ood: OodVerdict | null;
}

/**
 * Options of {@link LoadedBundle.classify}.
 *
 * @example
 * ```ts
 * const options: ClassifyOptions = { topK: 3, ood: { method: 'knn', threshold: 0.8 } };
 * ```
 */
export interface ClassifyOptions {
  topK?: number;
  /** Confidence threshold: with OOD data only applied when given; without, `unknown` below it (default 0.5). */
  threshold?: number;
  /** Override the bundle's OOD method and/or its threshold (the method's fitted threshold by default). */
  ood?: { method?: OodMethod; threshold?: number };
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
  /**
   * The layers model the bundle was opened from. Its trunk's convolution and BatchNorm weights are freed once the
   * trunk is compiled (serving runs the compiled copy): inspect it, do not predict with it.
   */
  model: tf.LayersModel;
  /** Calibrated probabilities `[n, classes]` for preprocessed images `[n, size, size, channels]`; caller disposes. */
  predict(images: tf.Tensor4D): tf.Tensor2D;
  /**
   * Top-k labels with an unknown flag and OOD verdict per image; `options` apply to every image, or give one
   * entry per image (a batch of requests that each asked for their own top-k, thresholds or OOD method).
   */
  classify(
    images: tf.Tensor4D,
    options?: ClassifyOptions | readonly ClassifyOptions[],
  ): Promise<Classification[]>;
  /** The fitted out-of-distribution detector, when the bundle has one. */
  ood?: OodStats;
  /** What the OOD scores read for a batch: the head's pooled input features and the logits (`scoreOod`). */
  oodInputs(images: tf.Tensor4D): Promise<{ features: Matrix; logits: Matrix }>;
  dispose(): void;
}

/** Shape (without batch) of the tensor the first head layer reads in `model`. */
function headInputShape(model: tf.LayersModel): number[] | undefined {
  const node = modelGraph(model).nodes.find((n) => n.layer.name.startsWith(HEAD_PREFIX));
  const shape = node?.inputs[0]?.shape.slice(1);
  return shape?.every((d) => typeof d === 'number') ? (shape as number[]) : undefined;
}

/** The head as a model `features → [probabilities, input of the last layer]` (the latter for the logits). */
function headModel(model: tf.LayersModel, featuresShape: number[]): tf.LayersModel {
  const layers = model.layers.filter((l) => l.name.startsWith(HEAD_PREFIX));
  if (layers.length === 0) throw new InvalidBundleError(`no '${HEAD_PREFIX}*' head layers in the model`);
  const input = tf.input({ shape: featuresShape });
  let y: tf.SymbolicTensor = input;
  let lastInput = input;
  for (const layer of layers) {
    lastInput = y;
    y = layer.apply(y) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: [y, lastInput], name: 'graft_serving_head' });
}

/** Logits from the last head layer's input and its dense weights. */
function logitsOf(lastLayer: tf.layers.Layer, lastInput: tf.Tensor): tf.Tensor2D {
  const [kernel, bias] = lastLayer.getWeights() as [tf.Tensor2D, tf.Tensor1D | undefined];
  const z = tf.matMul(lastInput as tf.Tensor2D, kernel);
  return (bias ? tf.add(z, bias) : z) as tf.Tensor2D;
}

/**
 * Prepares a bundle for serving: the trunk up to the bundle's cut is compiled with `compileTrunk` (BatchNorm
 * folded, activations fused), the trained upper layers and the head run as layers, and the output is
 * calibrated with the bundle's temperature. With `ood` (decoded `ood.bin`) every classification also carries an
 * out-of-distribution verdict computed from the head's pooled input features and logits. Takes ownership of
 * `bundle.model`.
 *
 * @example
 * ```ts
 * const served = openBundle(await bundleFromFiles(files));
 * const probs = served.predict(batch); // [n, classes]
 * ```
 */
export function openBundle(bundle: Bundle, ood?: OodStats): LoadedBundle {
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
  // Serving runs the compiled trunk only: the weights it folded copies of would stay resident for nothing (the
  // trunk's convolutions and BatchNorms: 6 MB of a 96 px MobileNetV2 digits model, ~half its tensor memory).
  const released = new Set<number>();
  for (const weight of compiled.replacedWeights()) {
    weight.dispose();
    released.add(weight.id);
  }
  const t = meta.temperature;
  const expected = [meta.input.size, meta.input.size, meta.input.channels].join();

  const lastLayer = head.layers.at(-1)!;
  /** Calibrated probabilities, and with `taps` the pooled head input and the logits; caller disposes. */
  const forward = (images: tf.Tensor4D, taps: boolean) => {
    if (images.rank !== 4 || images.shape.slice(1).join() !== expected)
      throw new InvalidTrainingInputError(`images must be [n, ${expected}], got [${images.shape}]`);
    return tf.tidy(() => {
      let x = compiled.predict(images);
      if (upper) x = upper.predict(x) as tf.Tensor;
      const [raw, lastInput] = head.predict(x) as [tf.Tensor2D, tf.Tensor];
      const probs = t === 1 ? raw : (tf.softmax(tf.div(tf.log(tf.maximum(raw, 1e-12)), t)) as tf.Tensor2D);
      if (!taps) return { probs };
      const features = (x.rank === 4 ? tf.mean(x, [1, 2]) : x.reshape([x.shape[0]!, -1])) as tf.Tensor2D;
      return { probs, features, logits: logitsOf(lastLayer, lastInput) };
    });
  };
  const predict = (images: tf.Tensor4D): tf.Tensor2D => forward(images, false).probs;

  return {
    meta,
    model,
    predict,
    ...(ood ? { ood } : {}),
    async oodInputs(images) {
      const out = forward(images, true);
      try {
        return await matrices(out);
      } finally {
        tf.dispose([out.probs, out.features, out.logits].filter((x) => x !== undefined));
      }
    },
    async classify(images, options = {}) {
      const optionsOf = (i: number): ClassifyOptions =>
        (Array.isArray(options) ? options[i] : (options as ClassifyOptions)) ?? {};
      const out = forward(images, ood !== undefined);
      try {
        const rows = (await out.probs.array()) as number[][];
        const verdicts =
          ood && out.features && out.logits
            ? await oodVerdicts(
                ood,
                out,
                rows.map((_, i) => optionsOf(i).ood),
              )
            : undefined;
        return rows.map((row, i) => {
          const own = optionsOf(i);
          const verdict = verdicts?.[i] ?? null;
          const [p] = predictWithThreshold([row], meta.labels, {
            threshold: own.threshold ?? (verdicts ? 0 : 0.5),
            kind: 'probs',
          });
          return {
            top: p!.ranked.slice(0, own.topK ?? 5),
            unknown: p!.unknown || (verdict !== null && verdict.score > verdict.threshold),
            ood: verdict,
          };
        });
      } finally {
        tf.dispose([out.probs, out.features, out.logits].filter((x) => x !== undefined));
      }
    },
    dispose() {
      compiled.dispose();
      // The serving head and the split trunk share layers with `model`: free every weight exactly once.
      disposeWeights([model, head, split.trunk, split.upper ?? undefined, backbone.model], {
        skip: released,
      });
    },
  };
}

/** One verdict per image, each with its own method/threshold override; each method used is scored once. */
async function oodVerdicts(
  stats: OodStats,
  out: { features?: tf.Tensor2D; logits?: tf.Tensor2D },
  overrides: readonly ClassifyOptions['ood'][],
): Promise<OodVerdict[]> {
  const inputs = await matrices(out);
  const scored = new Map<OodMethod, number[]>();
  return overrides.map((override = {}, i) => {
    const method = override.method ?? stats.method;
    let scores = scored.get(method);
    if (!scores) {
      scores = scoreOod(method, stats, inputs);
      scored.set(method, scores);
    }
    return { score: scores[i]!, threshold: override.threshold ?? stats.thresholds[method], method };
  });
}

async function matrices(out: {
  features?: tf.Tensor2D;
  logits?: tf.Tensor2D;
}): Promise<{ features: Matrix; logits: Matrix }> {
  const features = out.features!;
  const logits = out.logits!;
  return {
    features: toMatrix((await features.data()) as Float32Array, features.shape),
    logits: toMatrix((await logits.data()) as Float32Array, logits.shape),
  };
}
