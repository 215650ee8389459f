import type { tf } from '@graft/runtime';
import { modelGraph } from '../../backbone/graph.js';
import type { Backbone } from '../../backbone/index.js';
import { InvalidBundleError } from '../errors.js';
import { HEAD_PREFIX } from '../head.js';
import { composeWithHead } from '../strategies/compose.js';
import type { TrainResult } from '../types.js';
import { type GraftMeta, tfjsVersion } from './meta.js';

/**
 * A complete inference model (image → probabilities) plus its `graft.json`.
 *
 * @example
 * ```ts
 * const { model, meta }: Bundle = await bundleFromFiles(files);
 * ```
 */
export interface Bundle {
  model: tf.LayersModel;
  meta: GraftMeta;
}

/**
 * Builds a bundle from a training result: one flat LayersModel `image → probabilities` composed of the backbone
 * layers, the trained upper layers and the head (layers are shared, nothing is copied), and its metadata.
 * For `develop`, `scratch` and `fine-tune` the result's own model is used; pass the backbone it came from.
 *
 * @example
 * ```ts
 * const bundle = createBundle({ backbone, result, labels: ['cat', 'dog'], temperature: 1.4,
 *   metrics: { accuracy: 0.93 }, datasetFingerprint: await fingerprintDataset(entries) });
 * ```
 */
export function createBundle(input: {
  backbone: Backbone;
  result: TrainResult;
  labels: string[];
  temperature?: number;
  metrics?: Record<string, unknown>;
  datasetFingerprint?: string;
}): Bundle {
  const { backbone, result } = input;
  const model = result.inference ?? composeWithHead(backbone.model, result.head);
  const units = model.outputs[0]!.shape.at(-1);
  if (units !== input.labels.length)
    throw new InvalidBundleError(
      `the model has ${units} outputs but ${input.labels.length} labels were given`,
    );
  const featuresLayer = findFeaturesLayer(model);
  const cut = result.strategy === 'freeze-k' ? String(result.hyperparameters.cut) : 'features';
  return {
    model,
    meta: {
      formatVersion: 1,
      labels: [...input.labels],
      input: {
        size: backbone.inputSize,
        channels: backbone.inputChannels,
        preprocessing: { ...backbone.preprocessing },
      },
      backbone: { id: backbone.id, name: backbone.name, featuresLayer },
      cut,
      strategy: result.strategy,
      hyperparameters: result.hyperparameters,
      metrics: input.metrics ?? {},
      temperature: input.temperature ?? 1,
      datasetFingerprint: input.datasetFingerprint ?? '',
      createdAt: new Date().toISOString(),
      tfjsVersion: tfjsVersion(),
    },
  };
}

/**
 * Name of the layer whose output feeds the head (the pooled features) inside a composed model.
 *
 * @example
 * ```ts
 * findFeaturesLayer(bundle.model); // 'features'
 * ```
 */
export function findFeaturesLayer(model: tf.LayersModel): string {
  const node = modelGraph(model).nodes.find((n) => n.layer.name.startsWith(HEAD_PREFIX));
  const source = node?.inputs[0]?.sourceLayer;
  if (!source) throw new InvalidBundleError(`no '${HEAD_PREFIX}*' head layer in the model`);
  return source.name;
}
