/**
 * Adapts a loaded Graft bundle (`@graft/core`'s `loadBundle`) to the {@link LoadedModel} port: decoded image →
 * model input (`@graft/imaging`'s `toModelInput`, per the bundle's size and preprocessing) → calibrated top-k.
 */
import type { LoadedBundle } from '@graft/core';
import { decodeImage, toModelInput } from '@graft/imaging';
import { tf } from '@graft/runtime';
import type { Classification, ClassifyOptions, DecodedImage, LoadedModel } from './ports.js';

/**
 * Wraps a loaded bundle. Every tensor made per request is disposed; `dispose()` frees the bundle.
 *
 * @example
 * ```ts
 * const model = bundleModel(await loadBundle(files));
 * await model.warmup?.();
 * const { predictions } = await model.classify(await decodeImage(bytes), { topK: 3 });
 * model.dispose();
 * ```
 */
export function bundleModel(bundle: LoadedBundle): LoadedModel {
  const { size, channels, preprocessing } = bundle.meta.input;
  const toBatch = (image: DecodedImage): tf.Tensor4D =>
    tf.tidy(() => {
      const rgb = toModelInput(image as Parameters<typeof toModelInput>[0], { size, preprocessing });
      const x = channels === 1 ? rgb.mean(-1, true) : rgb;
      return x.expandDims(0) as tf.Tensor4D;
    });

  let warm: Promise<void> | undefined;
  return {
    meta: {
      labels: bundle.meta.labels,
      input: bundle.meta.input,
      backbone: bundle.meta.backbone,
      strategy: bundle.meta.strategy,
      metrics: bundle.meta.metrics,
      createdAt: bundle.meta.createdAt,
    },
    async classify(image: Uint8Array | DecodedImage, options: ClassifyOptions): Promise<Classification> {
      const decoded = image instanceof Uint8Array ? await decodeImage(image) : image;
      const batch = toBatch(decoded);
      try {
        const [first] = await bundle.classify(batch, {
          topK: Math.min(options.topK, bundle.meta.labels.length),
          threshold: options.threshold,
          ...(options.ood ? { ood: options.ood } : {}),
        });
        if (!first) throw new Error('the bundle returned no classification');
        return {
          predictions: first.top.map(({ label, score }) => ({ label, score })),
          unknown: first.unknown,
          ood: first.ood,
        };
      } finally {
        batch.dispose();
      }
    },
    /** One inference on zeros at the served input size; later calls find it done (the loader already warmed up). */
    warmup(): Promise<void> {
      warm ??= (async () => {
        const zeros = tf.zeros([1, size, size, channels]) as tf.Tensor4D;
        try {
          const probs = bundle.predict(zeros);
          await probs.data();
          probs.dispose();
        } finally {
          zeros.dispose();
        }
      })().catch((err: unknown) => {
        warm = undefined;
        throw err;
      });
      return warm;
    },
    dispose(): void {
      bundle.dispose();
    },
  };
}
