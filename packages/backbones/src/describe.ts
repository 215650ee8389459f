import { type Backbone, type CutPoint, widestBeforeLastDownsampling } from '@graft/core';
import type { BackboneManifest } from './manifest.js';

/**
 * What {@link describeBackbone} cannot read from the loaded backbone itself.
 *
 * @example
 * ```ts
 * const input: DescribeInput = { id: 'cnn', name: 'mnist_cnn', createdAt, provenance: { kind: 'url', url },
 *   inputSizes: [28, 96], weightsSha256, weightsBytes: 45_000 };
 * ```
 */
export type DescribeInput = Pick<
  BackboneManifest,
  'id' | 'name' | 'createdAt' | 'provenance' | 'inputSizes' | 'weightsSha256' | 'weightsBytes' | 'sourceStats'
> & {
  /** Default: {@link chooseDefaultCut}. */
  defaultCut?: string;
  /** True when the source trained every layer (a model trained from scratch or fine-tuned throughout). */
  sourceTrainedAll?: boolean;
};

/**
 * The cut a data set uses when none is asked, from the cuts' shapes alone (never from layer names): the widest
 * activation before the last downsampling; without downsampling, the deepest feature map; else the features.
 *
 * @example
 * ```ts
 * chooseDefaultCut(backbone.cuts); // 'block_13_expand_relu' for MobileNetV2
 * ```
 */
export function chooseDefaultCut(cuts: CutPoint[]): string {
  const candidates = cuts.filter((c) => c.name !== 'features');
  const pick =
    widestBeforeLastDownsampling(candidates) ??
    candidates.filter((c) => c.outputShape.length === 3).at(-1) ??
    cuts.at(-1);
  return pick?.name ?? 'features';
}

/**
 * The manifest of a loaded backbone: its input size becomes the default one; its cuts (at that size), parameters,
 * features layer and which layers its source trained last; plus what `input` says.
 *
 * @example
 * ```ts
 * const manifest = describeBackbone(backbone, { id, name: 'mnist_cnn', createdAt, provenance, inputSizes,
 *   weightsSha256, weightsBytes });
 * ```
 */
export function describeBackbone(backbone: Backbone, input: DescribeInput): BackboneManifest {
  const layers = backbone.model.layers;
  const featuresLayer = backbone.featuresLayer ?? layers.at(-1)!.name;
  const pretrainedUpTo = backbone.pretrainedUpTo ?? null;
  const firstTrained = pretrainedUpTo !== null ? pretrainedUpTo + 1 : input.sourceTrainedAll ? 1 : undefined;
  const from = firstTrained === undefined ? undefined : layers[firstTrained]?.name;
  return {
    formatVersion: 1,
    id: input.id,
    name: input.name,
    createdAt: input.createdAt,
    provenance: input.provenance,
    preprocessing: { ...backbone.preprocessing },
    inputSizes: input.inputSizes,
    defaultInputSize: backbone.inputSize,
    inputChannels: backbone.inputChannels,
    featuresLayer,
    cuts: backbone.cuts.map(({ name, index, outputShape }) => ({ name, index, outputShape })),
    defaultCut: input.defaultCut ?? chooseDefaultCut(backbone.cuts),
    pretrainedUpTo,
    sourceTrainedLayers: from ? { from, to: featuresLayer } : null,
    weightsSha256: input.weightsSha256,
    weightsBytes: input.weightsBytes,
    parameters: backbone.model.countParams(),
    ...(input.sourceStats ? { sourceStats: input.sourceStats } : {}),
  };
}
