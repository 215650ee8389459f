import { type Backbone, type TrainOptions, train } from '@graft/core';
import { tf } from '@graft/runtime';
import { accuracyOf } from './accuracy.js';
import { disposeWeightsExcept, snapshotWeights } from './weights.js';

/** One strategy to measure: its name and, for freeze-k, the cut (the frozen trunk ends there). */
export interface StrategySpec {
  name: 'feature-extraction' | 'freeze-k' | 'fine-tune' | 'scratch';
  cut?: string;
}

/** Training data and the test set of one run (images `[n, h, w, c]` in the source's preprocessing). */
export interface RunData {
  x: tf.Tensor4D;
  labels: number[];
  testX: tf.Tensor4D;
  testLabels: number[];
  classNames: string[];
}

/**
 * Trains one strategy on top of a source backbone and returns its test accuracy. The source is left as it was:
 * freeze-k and fine-tune train its layers in place, so its weights are snapshotted and restored; every weight the
 * run created is freed.
 *
 * @example
 * ```ts
 * const acc = await runStrategy(source, { name: 'freeze-k', cut: 'conv1_relu' }, data, { epochs: 20, seed: 1 });
 * ```
 */
export async function runStrategy(
  source: Backbone,
  spec: StrategySpec,
  data: RunData,
  options: TrainOptions,
): Promise<number> {
  const common = { labels: data.labels, classNames: data.classNames };
  if (spec.name === 'feature-extraction') {
    const features = tf.tidy(() => source.model.predict(data.x, { batchSize: 256 }) as tf.Tensor);
    const testFeatures = tf.tidy(() => source.model.predict(data.testX, { batchSize: 256 }) as tf.Tensor);
    try {
      const result = await train({ strategy: 'feature-extraction', features, ...common }, options);
      const accuracy = accuracyOf(result.model, testFeatures, data.testLabels);
      disposeWeightsExcept([result.model, result.head], [source.model]);
      return accuracy;
    } finally {
      tf.dispose([features, testFeatures]);
    }
  }
  const restore = spec.name === 'scratch' ? () => {} : snapshotWeights(source.model);
  try {
    const result = await train(
      spec.name === 'freeze-k'
        ? { strategy: 'freeze-k', backbone: source, cut: spec.cut!, images: data.x, ...common }
        : { strategy: spec.name, backbone: source, images: data.x, ...common },
      options,
    );
    const model = result.inference ?? result.model;
    const accuracy = accuracyOf(model, data.testX, data.testLabels);
    disposeWeightsExcept([result.model, result.head, result.inference], [source.model]);
    return accuracy;
  } finally {
    restore();
  }
}
