import { tf } from '@graft/runtime';
import { loadBackbone, reinitializeModel } from '../../backbone/index.js';
import { UnknownStrategyError } from '../errors.js';
import type { ArchitectureName } from '../types.js';

/**
 * A source architecture without its classifier: `input → features`, plus the classifier it was published with.
 *
 * @example
 * ```ts
 * const { model, featuresLayer, head }: Architecture = mnistCnn({ inputSize: 28, channels: 1 });
 * ```
 */
export interface Architecture {
  model: tf.LayersModel;
  /** Layer whose output is the features (for `backboneFromModel`). */
  featuresLayer?: string;
  /** The published classification layers: hidden units and dropout of the head. */
  head: { hidden: number; dropout: number };
}

/**
 * Knobs of the architectures (defaults follow the published versions).
 *
 * @example
 * ```ts
 * const o: ArchitectureOptions = { inputSize: 28, channels: 1, filters: 32, denseUnits: 128, seed: 1 };
 * ```
 */
export interface ArchitectureOptions {
  inputSize: number;
  channels: number;
  filters?: number;
  denseUnits?: number;
  seed?: number;
}

/**
 * The convolutional feature layers of Keras' `examples/mnist_transfer_cnn.py`: conv 3×3×32 → ReLU → conv 3×3×32 →
 * ReLU → max-pool 2 → dropout 0.25 → flatten; its classifier is dense 128 ReLU → dropout 0.5 → softmax.
 *
 * @example
 * ```ts
 * const { model } = mnistCnn({ inputSize: 28, channels: 1 });
 * ```
 */
export function mnistCnn(o: ArchitectureOptions): Architecture {
  const filters = o.filters ?? 32;
  const init = (k: number) =>
    tf.initializers.glorotUniform(o.seed === undefined ? {} : { seed: o.seed + 100 + k });
  const input = tf.input({ shape: [o.inputSize, o.inputSize, o.channels], name: 'input' });
  let y = tf.layers
    .conv2d({ filters, kernelSize: 3, padding: 'valid', kernelInitializer: init(0), name: 'conv1' })
    .apply(input) as tf.SymbolicTensor;
  y = tf.layers.activation({ activation: 'relu', name: 'conv1_relu' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers
    .conv2d({ filters, kernelSize: 3, kernelInitializer: init(1), name: 'conv2' })
    .apply(y) as tf.SymbolicTensor;
  y = tf.layers.activation({ activation: 'relu', name: 'conv2_relu' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.dropout({ rate: 0.25, name: 'dropout' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.flatten({ name: 'flatten' }).apply(y) as tf.SymbolicTensor;
  return {
    model: tf.model({ inputs: input, outputs: y, name: 'mnist_cnn' }),
    featuresLayer: 'flatten',
    head: { hidden: o.denseUnits ?? 128, dropout: 0.5 },
  };
}

/**
 * MobileNetV2 as an architecture only: the bundled model's graph at `inputSize`, every weight re-initialised.
 *
 * @example
 * ```ts
 * const { model } = await mobilenetV2({ inputSize: 96, channels: 3 });
 * ```
 */
export async function mobilenetV2(o: ArchitectureOptions): Promise<Architecture> {
  const pretrained = await loadBackbone(undefined, { inputSize: o.inputSize });
  try {
    return { model: reinitializeModel(pretrained.model), head: { hidden: 0, dropout: 0 } };
  } finally {
    pretrained.model.dispose();
  }
}

/**
 * The named architecture registry used by the `develop` strategy.
 *
 * @example
 * ```ts
 * const arch = await buildArchitecture('mnist-cnn', { inputSize: 28, channels: 1 });
 * ```
 */
export async function buildArchitecture(
  name: ArchitectureName,
  o: ArchitectureOptions,
): Promise<Architecture> {
  switch (name) {
    case 'mnist-cnn':
      return mnistCnn(o);
    case 'mobilenet_v2':
      return mobilenetV2(o);
    default:
      throw new UnknownStrategyError('unknown_architecture', `no architecture named "${String(name)}"`);
  }
}
