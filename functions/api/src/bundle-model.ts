/**
 * Adapts a loaded Graft bundle (`@graft/core`'s `loadBundle`) to the {@link LoadedModel} port: decoded image →
 * model input (`@graft/imaging`'s `toModelInput`, per the bundle's size and preprocessing) → calibrated top-k.
 * Concurrent `classify` calls run as one batch ({@link DynamicBatcher}); {@link classifyBatch} runs a batch directly.
 */
import type { LoadedBundle } from '@graft/core';
import { decodeImage, toModelInput } from '@graft/imaging';
import { tf } from '@graft/runtime';
import { DynamicBatcher, type Settled } from './dynamic-batcher.js';
import type { Classification, ClassifyRequest, DecodedImage, LoadedModel } from './ports.js';

/**
 * Options of {@link bundleModel}.
 *
 * @example
 * ```ts
 * bundleModel(bundle, { maxBatchSize: 8 });
 * ```
 */
export interface BundleModelOptions {
  /** Most concurrent requests run as one batch (default `DEFAULT_MAX_BATCH_SIZE`, 8; 1 turns batching off). */
  maxBatchSize?: number;
}

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
export function bundleModel(bundle: LoadedBundle, options: BundleModelOptions = {}): LoadedModel {
  const batcher = new DynamicBatcher((requests: ClassifyRequest[]) => classifyBatch(bundle, requests), {
    maxBatchSize: options.maxBatchSize,
    // the model computes on this thread: let the requests that arrived meanwhile reach the queue first
    yieldFirst: true,
  });
  let warm: Promise<void> | undefined;
  return {
    meta: servedMeta(bundle),
    decodesBytes: true,
    classify: (image, classifyOptions) => batcher.submit({ image, options: classifyOptions }),
    /** One inference on zeros at the served input size; later calls find it done (the loader already warmed up). */
    warmup(): Promise<void> {
      warm ??= warmBundle(bundle).catch((err: unknown) => {
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

/**
 * What the API shows of a served bundle (`LoadedModel.meta`).
 *
 * @example
 * ```ts
 * servedMeta(bundle).labels; // ['0', '1', …]
 * ```
 */
export function servedMeta(bundle: LoadedBundle): Record<string, unknown> {
  const { labels, input, backbone, strategy, metrics, createdAt } = bundle.meta;
  return { labels, input, backbone, strategy, metrics, createdAt };
}

/**
 * Runs one inference on zeros so the first request does not pay for the first pass.
 *
 * @example
 * ```ts
 * await warmBundle(await loadBundle(files));
 * ```
 */
export async function warmBundle(bundle: LoadedBundle): Promise<void> {
  const { size, channels } = bundle.meta.input;
  const zeros = tf.zeros([1, size, size, channels]) as tf.Tensor4D;
  try {
    const probs = bundle.predict(zeros);
    await probs.data();
    probs.dispose();
  } finally {
    zeros.dispose();
  }
}

/**
 * Classifies a batch of requests with one pass through the bundle: encoded images are decoded together, each image
 * becomes one row of the batch, and each request keeps its own options, result and error (an image that cannot be
 * decoded or prepared fails alone). No tensor outlives the call.
 *
 * @example
 * ```ts
 * const [a, b] = await classifyBatch(bundle, [
 *   { image: jpegBytes, options: { topK: 3 } },
 *   { image: notAnImage, options: { topK: 1 } },
 * ]); // a.ok === true, b.ok === false (b.error.code === 'unsupported_format')
 * ```
 */
export async function classifyBatch(
  bundle: LoadedBundle,
  requests: readonly ClassifyRequest[],
): Promise<Settled<Classification>[]> {
  const t0 = performance.now();
  const decoded = await Promise.allSettled(
    requests.map(({ image }) => (image instanceof Uint8Array ? decodeImage(image) : image)),
  );
  const t1 = performance.now();
  const outcomes: Settled<Classification>[] = decoded.map((d) =>
    d.status === 'rejected' ? { ok: false, error: d.reason } : { ok: false, error: undefined },
  );
  const rows: tf.Tensor3D[] = [];
  const members: number[] = [];
  decoded.forEach((d, i) => {
    if (d.status === 'rejected') return;
    try {
      rows.push(modelInput(bundle, d.value));
      members.push(i);
    } catch (error) {
      outcomes[i] = { ok: false, error };
    }
  });
  if (rows.length === 0) return outcomes;
  const labels = bundle.meta.labels.length;
  try {
    const batch = tf.stack(rows) as tf.Tensor4D;
    tf.dispose(rows);
    rows.length = 0;
    let results: Awaited<ReturnType<LoadedBundle['classify']>>;
    try {
      results = await bundle.classify(
        batch,
        members.map((i) => {
          const own = requests[i]!.options;
          return { ...own, topK: Math.min(own.topK, labels) };
        }),
      );
    } finally {
      batch.dispose();
    }
    const timings = { decodeMs: t1 - t0, inferMs: performance.now() - t1, batchSize: members.length };
    members.forEach((i, row) => {
      const result = results[row]!;
      outcomes[i] = {
        ok: true,
        value: {
          predictions: result.top.map(({ label, score }) => ({ label, score })),
          unknown: result.unknown,
          ood: result.ood,
          timings,
        },
      };
    });
  } catch (error) {
    // The batch itself failed (not one image): every member shares that error.
    for (const i of members) outcomes[i] = { ok: false, error };
  } finally {
    tf.dispose(rows);
  }
  return outcomes;
}

/** One image as a `[size, size, channels]` row of the model's input. */
function modelInput(bundle: LoadedBundle, image: DecodedImage): tf.Tensor3D {
  const { size, channels, preprocessing } = bundle.meta.input;
  return tf.tidy(() => {
    const rgb = toModelInput(image as Parameters<typeof toModelInput>[0], { size, preprocessing });
    return (channels === 1 ? rgb.mean(-1, true) : rgb) as tf.Tensor3D;
  });
}
