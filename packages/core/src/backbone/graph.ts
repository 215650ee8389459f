import type { tf } from '@graft/runtime';

type SymbolicTensor = tf.SymbolicTensor;
type Layer = tf.layers.Layer;

/** One application of a layer inside a model's graph. */
export interface GraphNode {
  layer: Layer;
  /** Index of the layer in `model.layers`. */
  index: number;
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
}

/** A model's graph in a topological order (inputs first). */
export interface ModelGraph {
  nodes: GraphNode[];
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
}

interface InternalNode {
  inputTensors: SymbolicTensor[];
  outputTensors: SymbolicTensor[];
}

const cache = new WeakMap<tf.LayersModel, ModelGraph>();

/**
 * Returns the nodes of a functional (or sequential) model in topological order, following the exact
 * symbolic tensors the model was built from (robust to layers that were re-applied elsewhere later).
 *
 * @example
 * ```ts
 * const { nodes } = modelGraph(backbone.model);
 * console.log(nodes.map((n) => n.layer.name));
 * ```
 */
export function modelGraph(model: tf.LayersModel): ModelGraph {
  const cached = cache.get(model);
  if (cached) return cached;
  const nodes: GraphNode[] = [];
  const seen = new Set<InternalNode>();
  const visit = (tensor: SymbolicTensor): void => {
    const layer = tensor.sourceLayer as Layer;
    const node = (layer as unknown as { inboundNodes: InternalNode[] }).inboundNodes[tensor.nodeIndex];
    if (!node || seen.has(node)) return;
    seen.add(node);
    // An InputLayer's node lists its own output as its input: treat it as a source.
    const inputs = layer.getClassName() === 'InputLayer' ? [] : [...node.inputTensors];
    for (const input of inputs) visit(input);
    nodes.push({
      layer,
      index: model.layers.indexOf(layer),
      inputs,
      outputs: [...node.outputTensors],
    });
  };
  for (const output of model.outputs) visit(output);
  const graph = { nodes, inputs: [...model.inputs], outputs: [...model.outputs] };
  cache.set(model, graph);
  return graph;
}

/**
 * Rebuilds the part of a graph between `from` (fed by new input tensors) and the graph's outputs by
 * calling `apply` for every node; layers are whatever `mapLayer` returns (the same objects to share weights).
 *
 * @example
 * ```ts
 * const input = tf.input({ shape: [12, 12, 64] });
 * const [out] = replay(graph, new Map([[cutTensor, input]]), (l) => l);
 * ```
 */
export function replay(
  graph: ModelGraph,
  seeds: Map<SymbolicTensor, SymbolicTensor>,
  mapLayer: (layer: Layer) => Layer,
): SymbolicTensor[] {
  const values = new Map(seeds);
  for (const node of graph.nodes) {
    if (node.outputs.every((t) => values.has(t))) continue;
    if (node.inputs.length === 0) continue;
    if (!node.inputs.every((t) => values.has(t))) continue;
    const args = node.inputs.map((t) => values.get(t) as SymbolicTensor);
    const result = mapLayer(node.layer).apply(args.length === 1 ? args[0]! : args);
    const outs = Array.isArray(result) ? result : [result];
    for (const [i, t] of node.outputs.entries()) values.set(t, outs[i] as SymbolicTensor);
  }
  return graph.outputs.map((t) => {
    const v = values.get(t);
    if (!v) throw new Error(`replay: output ${t.name} is not reachable from the seeds`);
    return v;
  });
}
