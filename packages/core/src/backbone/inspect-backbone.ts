import { modelGraph } from './graph.js';
import type { Backbone, BackboneInspection, LayerInfo } from './types.js';

/**
 * Lists a backbone's layers (output shape without batch, parameter count, whether the weights are the
 * untouched source weights) and its cut points.
 *
 * @example
 * ```ts
 * const info = inspectBackbone(backbone);
 * console.log(info.layers.length, info.totalParams); // 156 2257984
 * ```
 */
export function inspectBackbone(backbone: Backbone): BackboneInspection {
  const shapes = new Map(modelGraph(backbone.model).nodes.map((n) => [n.index, n.outputs[0]?.shape]));
  const upTo = backbone.pretrainedUpTo ?? Number.POSITIVE_INFINITY;
  const layers: LayerInfo[] = backbone.model.layers.map((layer, index) => ({
    index,
    name: layer.name,
    className: layer.getClassName(),
    outputShape: (shapes.get(index) ?? []).slice(1) as number[],
    params: layer.countParams(),
    trainable: index > upTo,
  }));
  return {
    id: backbone.id,
    inputSize: backbone.inputSize,
    layers,
    cuts: backbone.cuts,
    totalParams: layers.reduce((n, l) => n + l.params, 0),
  };
}
