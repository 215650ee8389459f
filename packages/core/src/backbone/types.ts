import type { tf } from '@graft/runtime';

/**
 * Maps raw pixel values `p` (0–255) to model input: `p * scale + offset`.
 *
 * @example
 * ```ts
 * const mobilenet: Preprocessing = { scale: 1 / 127.5, offset: -1 };
 * ```
 */
export interface Preprocessing {
  scale: number;
  offset: number;
}

/**
 * A place where the backbone can be cut into a frozen trunk and a trainable upper part:
 * a layer whose output is the only tensor live at that point of the graph.
 *
 * @example
 * ```ts
 * const cut: CutPoint = { name: 'block_6_project_BN', index: 63, outputShape: [12, 12, 64], imagenet: true };
 * ```
 */
export interface CutPoint {
  /** Layer name ('features' for the pooled output). */
  name: string;
  /** Index of the layer in `backbone.model.layers`. */
  index: number;
  /** Output shape without the batch dimension. */
  outputShape: number[];
  /** True when every weight up to and including this layer is an untouched ImageNet/source weight. */
  imagenet: boolean;
}

/**
 * A loaded source model reduced to `input → pooled features`, with its valid cut points.
 *
 * @example
 * ```ts
 * const backbone: Backbone = await loadBackbone();
 * console.log(backbone.id, backbone.cuts.at(-1)?.outputShape); // 'mobilenet_v2-224' [1280]
 * ```
 */
export interface Backbone {
  /** Name plus input size, e.g. 'mobilenet_v2-96'; used in feature-store keys. */
  id: string;
  /** Architecture name, e.g. 'mobilenet_v2'. */
  name: string;
  /** input → pooled features (the original classifier removed). */
  model: tf.LayersModel;
  inputSize: number;
  inputChannels: number;
  preprocessing: Preprocessing;
  /** Valid cut points from input to output; the last one is named 'features'. */
  cuts: CutPoint[];
  /** Last layer index whose weights are the untouched source weights (98 for the bundled MobileNetV2). */
  pretrainedUpTo?: number;
  /** Layer of the source model whose output are the features (pooled when it is a feature map), e.g. 'out_relu'. */
  featuresLayer?: string;
}

/**
 * Where to load a backbone from.
 *
 * @example
 * ```ts
 * const sources: BackboneSource[] = [
 *   { kind: 'default' },
 *   { kind: 'dir', path: '/models/mnist-cnn' },
 *   { kind: 'url', url: 'https://models.example.com/m/model.json', allow: ['https://models.example.com'] },
 * ];
 * ```
 */
export type BackboneSource =
  | { kind: 'default' }
  | ({ kind: 'dir'; path: string } & SourceOverrides)
  | ({
      kind: 'url';
      url: string;
      /** Allow-listed origins (`https://host[:port]`; `http://127.0.0.1:port` only when listed explicitly). */
      allow: string[];
      /** DNS resolver (defaults to `node:dns` lookup); injectable for tests. */
      lookup?: (hostname: string) => Promise<string[]>;
      /** Upper bound on the bytes downloaded (model.json + shards); default 256 MiB. */
      maxBytes?: number;
    } & SourceOverrides)
  | ({ kind: 'io'; handler: tf.io.IOHandler } & SourceOverrides);

/**
 * Optional metadata that overrides what a model's files say about themselves.
 *
 * @example
 * ```ts
 * const o: SourceOverrides = { name: 'mnist_cnn', featuresLayer: 'flatten', preprocessing: { scale: 1 / 255, offset: 0 } };
 * ```
 */
export interface SourceOverrides {
  name?: string;
  preprocessing?: Preprocessing;
  /** Layer whose output becomes the features (4-D outputs get a GlobalAveragePooling2D named 'features'). */
  featuresLayer?: string;
  /** Last layer index whose weights are the untouched source weights (default: none is marked). */
  pretrainedUpTo?: number;
}

/**
 * Options of {@link loadBackbone}.
 *
 * @example
 * ```ts
 * const options: LoadBackboneOptions = { inputSize: 96 };
 * ```
 */
export interface LoadBackboneOptions {
  inputSize?: number;
}

/**
 * A trunk compiled into fused tfjs ops (BatchNorm folded, activations fused).
 *
 * @example
 * ```ts
 * const compiled: CompiledTrunk = compileTrunk(trunk);
 * const out = compiled.predict(x); // caller disposes `out`
 * compiled.dispose();
 * ```
 */
export interface CompiledTrunk {
  predict(x: tf.Tensor4D): tf.Tensor;
  /** Output shape without batch. */
  outputShape: number[];
  /**
   * The trunk's own weights that the compiled trunk never reads (convolutions and BatchNormalization it replaced
   * with folded copies): a caller that only runs the compiled trunk may free them.
   */
  replacedWeights(): tf.LayerVariable[];
  dispose(): void;
}

/**
 * One layer as reported by {@link inspectBackbone}.
 *
 * @example
 * ```ts
 * const l: LayerInfo = { index: 2, name: 'Conv1', className: 'Conv2D', outputShape: [112, 112, 32], params: 864, trainable: false };
 * ```
 */
export interface LayerInfo {
  index: number;
  name: string;
  className: string;
  outputShape: number[];
  params: number;
  /** false = the layer's weights are ImageNet/source weights untouched by the model authors. */
  trainable: boolean;
}

/**
 * Summary of a backbone returned by {@link inspectBackbone}.
 *
 * @example
 * ```ts
 * const info: BackboneInspection = inspectBackbone(backbone);
 * ```
 */
export interface BackboneInspection {
  id: string;
  inputSize: number;
  layers: LayerInfo[];
  cuts: CutPoint[];
  /** Total number of parameters (trainable and non-trainable). */
  totalParams: number;
}
