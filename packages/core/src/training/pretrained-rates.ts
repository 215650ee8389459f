import { tf } from '@graft/runtime';

/**
 * Largest step, as a fraction of a pretrained kernel's RMS, that Adam or RMSprop may take on it per batch.
 *
 * Why a bound is needed: adaptive optimizers move every weight by about the learning rate per step whatever the
 * weight's size (Adam's first step is exactly `lr · sign(g)`), and pretrained layers run their BatchNormalization
 * in inference mode, so nothing re-normalises a unit whose input sum has drifted. MobileNetV2's 1×1 kernels above
 * `block_13_expand_relu` have an RMS of 0.03–0.06 and 160–960 inputs: at lr 3e-3 (the job's freeze-k default,
 * `pretrainedLrScale` 1) one sign-coherent step moves a unit's pre-activation by up to ~2 of its standard deviations
 * (lr · √inputs / RMS).
 * Measured on Fashion-MNIST at 96 px (50 training / 15 validation images per class, `upper: 'retrain'`, 30 test
 * images per class): the batch loss went 2.33 → 4.05 → 5.50 → 4.85 → 7.54 over the first five batches, 87 % of the
 * 1,280 pooled features ended zero on every test image (13.5 % before) and every image was predicted as one class
 * (0.10). A head trained first on the frozen layers did not help (the loss jumped to 13.6 once they were unfrozen):
 * the step size, not the head's gradients, breaks them.
 *
 * At 0.25 % of the RMS a coherent step moves a 960-input unit by ~8 % of its spread (1×1 kernels get 0.8–1.5e-4;
 * depthwise kernels, RMS 0.3–0.6 over 9 inputs, ~1.5e-3). Same run, same lr 3e-3: training loss 1.68 → 0.26 in
 * 8 epochs, 0.740 test accuracy (replacing the upper layers by a head on pooled activations: 0.760), 7 % dead
 * features. Bounding every tensor (BatchNormalization and biases too) at 1e-3, 2.5e-3, 5e-3 and 1e-2 of its RMS:
 * 0.723, 0.707, 0.707, 0.740, with 4, 8, 16 and 52 % dead features and a final loss of 0.12, 0.18, 0.29, 0.42 —
 * flat in accuracy up to 1e-2, but above 2.5e-3 the pretrained features start to die. An absolute cap of 1e-4 on
 * every pretrained weight gave 0.723, but no single cap suits every backbone's weight scale.
 * BatchNormalization in training mode instead (batch statistics of 32 images) reached a training loss of 0.48 but
 * 0.21 test accuracy: the moving statistics then disagree with the weights at inference.
 */
export const PRETRAINED_STEP_FRACTION = 2.5e-3;

/**
 * Learning rate of each pretrained weight: `learningRate` for biases and BatchNormalization scales and offsets
 * (a step moves the output by the step itself), and for kernels (rank ≥ 2, summed over their inputs) at most
 * `fraction` × the kernel's RMS when the optimizer is adaptive (Adam, RMSprop; see
 * {@link PRETRAINED_STEP_FRACTION}). SGD's step scales with the gradient, so its rates are left as asked.
 *
 * @example
 * ```ts
 * const rates = await pretrainedLearningRates(upper.trainableWeights.map((w) => w.read() as tf.Variable), 3e-3, 'adam');
 * rates.get('Conv_1/kernel'); // ≈ 7.6e-5 (RMS 0.0305)
 * ```
 */
export async function pretrainedLearningRates(
  variables: tf.Variable[],
  learningRate: number,
  optimizer: 'adam' | 'sgd' | 'rmsprop',
  fraction = PRETRAINED_STEP_FRACTION,
): Promise<Map<string, number>> {
  const rates = new Map(variables.map((v) => [v.name, learningRate]));
  const kernels = optimizer === 'sgd' ? [] : variables.filter((v) => v.rank >= 2);
  if (kernels.length === 0) return rates;
  const rms = tf.tidy(() => tf.stack(kernels.map((v) => tf.sqrt(tf.mean(tf.square(v))))));
  const values = await rms.data();
  rms.dispose();
  kernels.forEach((v, i) => {
    const bound = fraction * values[i]!;
    if (bound > 0) rates.set(v.name, Math.min(learningRate, bound));
  });
  return rates;
}
