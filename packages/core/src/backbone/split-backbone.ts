import { tf } from '@graft/runtime';
import { UnknownCutError } from './errors.js';
import { type ModelGraph, modelGraph, replay } from './graph.js';
import type { Backbone, CutPoint } from './types.js';

/**
 * The two halves of a backbone cut at one of its cut points.
 *
 * @example
 * ```ts
 * const { trunk, upper, cut }: BackboneSplit = splitBackbone(backbone, 'block_12_add');
 * ```
 */
export interface BackboneSplit {
  /** input → cut output (shares layers and weights with `backbone.model`). */
  trunk: tf.LayersModel;
  /** cut output → features, re-applying the same layer objects; null when the cut is 'features'. */
  upper: tf.LayersModel | null;
  cut: CutPoint;
}

/**
 * Finds a cut point by its name, the name of its layer, or its layer index.
 *
 * @example
 * ```ts
 * const cut = findCut(backbone, 'block_6_project_BN');
 * ```
 */
export function findCut(backbone: Backbone, cut: string | number): CutPoint {
  const found =
    typeof cut === 'number'
      ? backbone.cuts.find((c) => c.index === cut)
      : (backbone.cuts.find((c) => c.name === cut) ??
        backbone.cuts.find((c) => backbone.model.layers[c.index]?.name === cut));
  if (!found)
    throw new UnknownCutError(
      cut,
      backbone.cuts.map((c) => c.name),
    );
  return found;
}

/**
 * The trunk of a backbone at a cut point (input → cut output), sharing its layers and weights. Unlike
 * {@link splitBackbone} it builds no upper half: replaying layers on a new input adds a node to every one of them
 * for as long as the backbone lives, so code that needs only the trunk of a process-wide backbone (the extractor)
 * must not split it.
 *
 * @example
 * ```ts
 * const { trunk, cut } = trunkAt(backbone, 'block_13_expand_relu');
 * ```
 */
export function trunkAt(backbone: Backbone, cut: string | number): Omit<BackboneSplit, 'upper'> {
  const { trunk, cut: point } = cutTrunk(backbone, cut);
  return { trunk, cut: point };
}

/** The trunk at a cut, with the graph and the cut's tensor that {@link splitBackbone} replays the upper half from. */
function cutTrunk(
  backbone: Backbone,
  cut: string | number,
): { trunk: tf.LayersModel; cut: CutPoint; graph: ModelGraph; tensor: tf.SymbolicTensor } {
  const point = findCut(backbone, cut);
  const graph = modelGraph(backbone.model);
  const node = graph.nodes.find((n) => n.index === point.index);
  const tensor = node?.outputs[0];
  if (!tensor)
    throw new UnknownCutError(
      cut,
      backbone.cuts.map((c) => c.name),
    );
  const trunk = tf.model({
    inputs: graph.inputs,
    outputs: tensor,
    name: `${backbone.name}_trunk_${point.name}`,
  });
  return { trunk, cut: point, graph, tensor };
}

/**
 * Splits a backbone at a cut point into a trunk (input → cut) and an upper part (cut → features) built by
 * re-applying the very same layer objects to a new input, so weights are shared with `backbone.model`:
 * training `upper` trains the backbone's layers. Dispose only `backbone.model`, never the halves.
 *
 * @example
 * ```ts
 * const { trunk, upper } = splitBackbone(backbone, 'block_12_add');
 * const features = tf.tidy(() => upper!.predict(trunk.predict(x) as tf.Tensor) as tf.Tensor);
 * ```
 */
export function splitBackbone(backbone: Backbone, cut: string | number): BackboneSplit {
  const { trunk, cut: point, graph, tensor } = cutTrunk(backbone, cut);
  if (graph.outputs.includes(tensor)) return { trunk, upper: null, cut: point };
  const input = tf.input({ shape: point.outputShape, name: `${point.name}_input` });
  const [output] = replay(graph, new Map([[tensor, input]]), (layer) => layer);
  const upper = tf.model({ inputs: input, outputs: output!, name: `${backbone.name}_upper_${point.name}` });
  return { trunk, upper, cut: point };
}
