import { tf } from '@graft/runtime';
import { InvalidModelError } from './errors.js';
import { type GraphNode, modelGraph } from './graph.js';
import type { CompiledTrunk } from './types.js';

type Sym = tf.SymbolicTensor;
type Activation = 'linear' | 'relu' | 'relu6';
type Pad = [[number, number], [number, number]];
type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** One executable step of a compiled trunk: reads input values, produces the value of `out`. */
interface Step {
  inputs: Sym[];
  out: Sym;
  run(args: tf.Tensor[]): tf.Tensor;
}

interface Config {
  [key: string]: unknown;
}

const config = (node: GraphNode): Config => node.layer.getConfig() as Config;

/** Maps an activation layer/config to a fusable activation, or undefined when it cannot be fused. */
function fusableActivation(node: GraphNode): Activation | undefined {
  const cls = node.layer.getClassName();
  const c = config(node);
  if (cls === 'ReLU') {
    const max = c.maxValue as number | null | undefined;
    if (max === undefined || max === null) return 'relu';
    return max === 6 ? 'relu6' : undefined;
  }
  if (cls === 'Activation')
    return ['relu', 'relu6', 'linear'].includes(c.activation as string)
      ? (c.activation as Activation)
      : undefined;
  return undefined;
}

/** The single node consuming `tensor`, when exactly one does and the tensor is not a graph output. */
function soleConsumer(tensor: Sym, consumers: Map<Sym, GraphNode[]>, outputs: Sym[]): GraphNode | undefined {
  const list = consumers.get(tensor) ?? [];
  return list.length === 1 && !outputs.includes(tensor) ? list[0] : undefined;
}

/** BatchNormalization as per-channel scale and shift: y = x·scale + shift (kept tensors). */
function batchNormAffine(node: GraphNode): { scale: tf.Tensor1D; shift: tf.Tensor1D } | undefined {
  const c = config(node);
  const axis = c.axis as number | number[];
  const rank = node.inputs[0]?.shape.length ?? 0;
  const last = Array.isArray(axis)
    ? axis.length === 1 && (axis[0] === -1 || axis[0] === rank - 1)
    : axis === -1 || axis === rank - 1;
  if (!last) return undefined;
  return tf.tidy(() => {
    const weights = node.layer.getWeights();
    let i = 0;
    const gamma = c.scale !== false ? weights[i++] : undefined;
    const beta = c.center !== false ? weights[i++] : undefined;
    const mean = weights[i++];
    const variance = weights[i++];
    if (!mean || !variance)
      throw new InvalidModelError(`BatchNormalization '${node.layer.name}' has no moving statistics`);
    const inv = tf.rsqrt(tf.add(variance, c.epsilon as number));
    const scale = (gamma ? tf.mul(gamma, inv) : inv) as tf.Tensor1D;
    const shifted = tf.neg(tf.mul(mean, scale));
    const shift = (beta ? tf.add(beta, shifted) : shifted) as tf.Tensor1D;
    return { scale: tf.keep(scale), shift: tf.keep(shift) };
  });
}

/**
 * Compiles a (frozen) trunk into fused tfjs ops for inference: BatchNormalization is folded into the
 * preceding Conv2D/DepthwiseConv2D (w' = w·γ/√(var+ε), b' = β − mean·γ/√(var+ε)), bias and relu/relu6
 * are fused (`tf.fused.conv2d` / `tf.fused.depthwiseConv2d`), a ZeroPadding2D before a Conv2D becomes explicit
 * padding, Add and GlobalAveragePooling2D run directly; any other layer runs through `layer.apply`.
 * Weights are snapshotted at compile time: recompile after the trunk's weights change.
 *
 * @example
 * ```ts
 * const { trunk } = splitBackbone(backbone, 'block_10_project_BN');
 * const compiled = compileTrunk(trunk);
 * const features = compiled.predict(batch); // same values as trunk.predict(batch), faster
 * features.dispose();
 * compiled.dispose();
 * ```
 */
export function compileTrunk(trunk: tf.LayersModel): CompiledTrunk {
  if (trunk.inputs.length !== 1 || trunk.outputs.length !== 1) {
    throw new InvalidModelError('compileTrunk needs a model with one input and one output');
  }
  const graph = modelGraph(trunk);
  const consumers = new Map<Sym, GraphNode[]>();
  for (const node of graph.nodes) {
    for (const t of node.inputs) consumers.set(t, [...(consumers.get(t) ?? []), node]);
  }
  const kept: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => {
    kept.push(t);
    return t;
  };
  const steps: Step[] = [];
  const fused = new Set<GraphNode>();
  /** Layers whose computation runs on copies of their weights (folded, fused): their own weights are never read. */
  const replaced = new Set<tf.layers.Layer>();
  const pendingPad = new Map<Sym, { input: Sym; pad: Pad }>();

  const fallback = (node: GraphNode): Step => ({
    inputs: node.inputs,
    out: node.outputs[0]!,
    run: (args) => node.layer.apply(args.length === 1 ? args[0]! : args) as tf.Tensor,
  });

  try {
    for (const node of graph.nodes) {
      if (fused.has(node) || node.inputs.length === 0) continue;
      const cls = node.layer.getClassName();
      const c = config(node);
      const out = node.outputs[0]!;
      if (node.outputs.length !== 1) {
        throw new InvalidModelError(`layer '${node.layer.name}' has several outputs`);
      }
      const channelsLast = c.dataFormat === undefined || c.dataFormat === 'channelsLast';

      if (cls === 'ZeroPadding2D' && channelsLast) {
        const pad = c.padding as Pad;
        const next = soleConsumer(out, consumers, graph.outputs);
        const nc = next ? config(next) : undefined;
        if (next && next.layer.getClassName() === 'Conv2D' && nc?.padding === 'valid') {
          pendingPad.set(out, { input: node.inputs[0]!, pad });
          continue;
        }
        steps.push({
          inputs: node.inputs,
          out,
          run: ([x]) => tf.pad(x!, [[0, 0], pad[0], pad[1], [0, 0]]),
        });
        continue;
      }

      if ((cls === 'Conv2D' || cls === 'DepthwiseConv2D') && channelsLast) {
        const depthwise = cls === 'DepthwiseConv2D';
        const own = (c.activation as string) ?? 'linear';
        if (!['linear', 'relu', 'relu6'].includes(own)) {
          steps.push(fallback(node));
          continue;
        }
        let activation = own as Activation;
        let tail = out;
        let bn: ReturnType<typeof batchNormAffine>;
        const bnNode = soleConsumer(tail, consumers, graph.outputs);
        if (activation === 'linear' && bnNode?.layer.getClassName() === 'BatchNormalization') {
          bn = batchNormAffine(bnNode);
          if (bn) {
            fused.add(bnNode);
            tail = bnNode.outputs[0]!;
          }
        }
        const actNode = soleConsumer(tail, consumers, graph.outputs);
        const act = actNode ? fusableActivation(actNode) : undefined;
        if (activation === 'linear' && actNode && act) {
          activation = act;
          fused.add(actNode);
          tail = actNode.outputs[0]!;
        }
        const weights = node.layer.getWeights();
        const kernel = weights[0]!;
        const useBias = c.useBias !== false;
        const { filter, bias } = tf.tidy(() => {
          let f: tf.Tensor4D = kernel as tf.Tensor4D;
          let b: tf.Tensor1D = useBias
            ? (weights[1] as tf.Tensor1D)
            : tf.zeros([kernel.shape.at(-1)! * (depthwise ? kernel.shape[2]! : 1)]);
          if (depthwise && !useBias) b = tf.zeros([kernel.shape[2]! * kernel.shape[3]!]);
          if (bn) {
            const s = depthwise ? bn.scale.reshape([1, 1, kernel.shape[2]!, kernel.shape[3]!]) : bn.scale;
            f = tf.mul(f, s) as tf.Tensor4D;
            b = tf.add(tf.mul(b, bn.scale), bn.shift) as tf.Tensor1D;
          }
          return { filter: tf.keep(f.clone()), bias: tf.keep(b.clone()) };
        });
        if (bn) {
          bn.scale.dispose();
          bn.shift.dispose();
          replaced.add(bnNode!.layer);
        }
        replaced.add(node.layer);
        keep(filter);
        keep(bias);
        const strides = c.strides as [number, number];
        const dilations = (c.dilationRate as [number, number] | number | undefined) ?? 1;
        const padFold = pendingPad.get(node.inputs[0]!);
        const source = padFold ? padFold.input : node.inputs[0]!;
        const pad: 'valid' | 'same' | ExplicitPadding = padFold
          ? [[0, 0], padFold.pad[0], padFold.pad[1], [0, 0]]
          : (c.padding as 'valid' | 'same');
        steps.push({
          inputs: [source],
          out: tail,
          run: ([x]) =>
            depthwise
              ? tf.fused.depthwiseConv2d({
                  x: x as tf.Tensor4D,
                  filter,
                  strides,
                  pad: pad as 'valid' | 'same',
                  dilations,
                  bias,
                  activation,
                })
              : tf.fused.conv2d({ x: x as tf.Tensor4D, filter, strides, pad, dilations, bias, activation }),
        });
        continue;
      }

      if (cls === 'BatchNormalization') {
        const affine = batchNormAffine(node);
        if (affine) {
          keep(affine.scale);
          keep(affine.shift);
          replaced.add(node.layer);
          steps.push({
            inputs: node.inputs,
            out,
            run: ([x]) => tf.add(tf.mul(x!, affine.scale), affine.shift),
          });
          continue;
        }
      }
      if (cls === 'Add') {
        steps.push({
          inputs: node.inputs,
          out,
          run: (args) => (args.length === 2 ? tf.add(args[0]!, args[1]!) : tf.addN(args)),
        });
        continue;
      }
      if (cls === 'GlobalAveragePooling2D' && channelsLast) {
        steps.push({ inputs: node.inputs, out, run: ([x]) => tf.mean(x!, [1, 2]) });
        continue;
      }
      const act = fusableActivation(node);
      if (act) {
        const fn = act === 'relu' ? tf.relu : act === 'relu6' ? tf.relu6 : (x: tf.Tensor) => x;
        steps.push({ inputs: node.inputs, out, run: ([x]) => fn(x!) });
        continue;
      }
      steps.push(fallback(node));
    }
  } catch (error) {
    for (const t of kept) t.dispose();
    throw error;
  }

  const input = graph.inputs[0]!;
  const output = graph.outputs[0]!;
  const lastUse = new Map<Sym, number>();
  steps.forEach((step, i) => {
    for (const t of step.inputs) lastUse.set(t, i);
  });
  let disposed = false;
  return {
    outputShape: output.shape.slice(1) as number[],
    replacedWeights: () => [...replaced].flatMap((layer) => layer.weights),
    predict(x: tf.Tensor4D): tf.Tensor {
      if (disposed) throw new InvalidModelError('compiled trunk was disposed');
      return tf.tidy(() => {
        const values = new Map<Sym, tf.Tensor>([[input, x]]);
        steps.forEach((step, i) => {
          const args = step.inputs.map((t) => {
            const v = values.get(t);
            if (!v) throw new InvalidModelError(`compiled trunk: missing value for ${t.name}`);
            return v;
          });
          values.set(step.out, step.run(args));
          for (const t of step.inputs) {
            if (lastUse.get(t) === i && t !== input && t !== output) {
              values.get(t)?.dispose();
              values.delete(t);
            }
          }
        });
        const y = values.get(output);
        if (!y) throw new InvalidModelError('compiled trunk produced no output');
        return y === x ? y.clone() : y;
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const t of kept) t.dispose();
    },
  };
}
