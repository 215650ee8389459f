import type { Backbone } from '@graft/core';
import { tf } from '@graft/runtime';

/** Images in the timed step: few, so the probe costs about a second even on MobileNetV2 on 2 cores. */
const PROBE_BATCH = 2;

/** What {@link estimateTrainingSeconds} estimates. */
export interface CostEstimate {
  /** Estimated seconds to train every epoch asked for (and to score the validation split after each). */
  seconds: number;
  /** Measured seconds of one training step (forward and gradients of every weight) per image. */
  stepPerImage: number;
  /** How the estimate was made, in words (for the race's explanation). */
  basis: string;
}

/**
 * Estimates what training the whole network (fine-tune, scratch) costs before it starts: times one real
 * training step — forward and the gradients of every trainable weight — over two blank images at the backbone's input
 * size (after one untimed step on one image that compiles the kernels), in inference mode so that nothing of
 * the backbone changes, then counts one step per training image per epoch and a forward pass per validation
 * image. A forward-pass rule of thumb (backward ≈ 2× forward) is wrong by 5× on WASM, whose gradient kernels are
 * far slower than its inference kernels; measuring the step on the machine that will train gets a GPU job and a
 * 2-core laptop their own answer.
 *
 * @example
 * ```ts
 * const { seconds } = await estimateTrainingSeconds({ backbone, trainImages: 500, valImages: 150, epochs: 10 });
 * if (seconds > remainingBudget) skip();
 * ```
 */
export async function estimateTrainingSeconds(args: {
  backbone: Pick<Backbone, 'model' | 'inputSize' | 'inputChannels'>;
  trainImages: number;
  valImages: number;
  epochs: number;
}): Promise<CostEstimate> {
  const { backbone, trainImages, valImages, epochs } = args;
  const batch = Math.max(1, Math.min(PROBE_BATCH, trainImages));
  const { model } = backbone;
  const variables = model.weights.map((w) => w.read() as tf.Variable).filter((v) => v.trainable);
  const timed = async (images: number, f: (x: tf.Tensor) => tf.Tensor[]) => {
    const started = performance.now();
    const out = tf.tidy(() =>
      f(tf.zeros([images, backbone.inputSize, backbone.inputSize, backbone.inputChannels])),
    );
    try {
      await Promise.all(out.map((t) => t.data()));
    } finally {
      tf.dispose(out);
    }
    return (performance.now() - started) / 1000 / images;
  };
  const loss = (x: tf.Tensor) => (model.apply(x, { training: false }) as tf.Tensor).mean() as tf.Scalar;
  const step = (x: tf.Tensor) => {
    if (variables.length === 0) return [tf.grad(loss)(x)];
    const { value, grads } = tf.variableGrads(() => loss(x), variables);
    return [value, ...Object.values(grads)];
  };
  await timed(1, step); // compiles the kernels: not timed
  const stepPerImage = await timed(batch, step);
  const forwardPerImage = await timed(batch, (x) => [model.predict(x) as tf.Tensor]);
  const seconds = (stepPerImage * trainImages + forwardPerImage * valImages) * epochs;
  return {
    seconds,
    stepPerImage,
    basis: `${(stepPerImage * 1000).toFixed(0)} ms per image per training step × ${trainImages} images × ${epochs} epochs`,
  };
}
