import type { tf } from '@graft/runtime';
import { modelGraph } from './graph.js';
import type { CutPoint } from './types.js';

/** Layer classes that only post-process the previous conv/dense output (never cut right before them). */
const POST_OPS = new Set([
  'BatchNormalization',
  'ReLU',
  'Activation',
  'LeakyReLU',
  'ELU',
  'PReLU',
  'Softmax',
]);

/**
 * Computes the valid cut points of a model: layers whose (single) output is the only tensor live at that
 * point of the topological order, so that everything above depends on that one tensor. Cuts between a
 * conv and its BatchNorm/activation are skipped; `keep` can narrow the list further (the last layer, named
 * 'features' in the result, is always kept).
 *
 * @example
 * ```ts
 * const cuts = computeCuts(model, { pretrainedUpTo: 98 });
 * console.log(cuts.map((c) => c.name));
 * ```
 */
export function computeCuts(
  model: tf.LayersModel,
  options: { pretrainedUpTo?: number; keep?: (name: string) => boolean } = {},
): CutPoint[] {
  const { nodes, outputs } = modelGraph(model);
  const lastUse = new Map<tf.SymbolicTensor, number>();
  nodes.forEach((node, i) => {
    for (const t of node.inputs) lastUse.set(t, i);
  });
  for (const t of outputs) lastUse.set(t, Number.POSITIVE_INFINITY);
  const live = new Set<tf.SymbolicTensor>();
  const cuts: CutPoint[] = [];
  nodes.forEach((node, i) => {
    for (const t of node.inputs) if (lastUse.get(t) === i) live.delete(t);
    for (const t of node.outputs) if ((lastUse.get(t) ?? -1) > i) live.add(t);
    const isLast = i === nodes.length - 1;
    const out = node.outputs[0];
    if (node.inputs.length === 0 || node.outputs.length !== 1 || !out) return;
    if (!isLast && (live.size !== 1 || !live.has(out))) return;
    const next = nodes[i + 1];
    if (!isLast && next && POST_OPS.has(next.layer.getClassName())) return;
    if (!isLast && options.keep && !options.keep(node.layer.name)) return;
    cuts.push({
      name: isLast ? 'features' : node.layer.name,
      index: node.index,
      outputShape: out.shape.slice(1) as number[],
      imagenet: options.pretrainedUpTo !== undefined && node.index <= options.pretrainedUpTo,
    });
  });
  return cuts;
}

/**
 * The cut whose activation is widest (most channels; the deepest on ties) at the last resolution before the
 * network's final downsampling: below the most source-specific stage, yet already high-level. With MobileNetV2
 * this is `block_13_expand_relu` (576 channels at 1/16 of the input). Undefined when the cuts never downsample.
 *
 * @example
 * ```ts
 * widestBeforeLastDownsampling(backbone.cuts.filter((c) => c.name !== 'features'))?.name; // 'block_13_expand_relu'
 * ```
 */
export function widestBeforeLastDownsampling(cuts: CutPoint[]): CutPoint | undefined {
  const spatial = cuts.filter((c) => c.outputShape.length === 3);
  const last = spatial.at(-1);
  if (!last) return undefined;
  const level = spatial.filter((c) => c.outputShape[0]! > last.outputShape[0]!).at(-1)?.outputShape[0];
  const atLevel = spatial.filter((c) => c.outputShape[0] === level);
  return atLevel.reduce<CutPoint | undefined>(
    (best, c) => (!best || c.outputShape[2]! >= best.outputShape[2]! ? c : best),
    undefined,
  );
}
