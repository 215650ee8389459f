import { tf } from '@graft/runtime';

/**
 * The weights of model artifacts as one byte array (`weights.bin`), in weight-spec order.
 *
 * @example
 * ```ts
 * const sha = await sha256(weightBytes(artifacts));
 * ```
 */
export function weightBytes(artifacts: tf.io.ModelArtifacts): Uint8Array {
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
}

/**
 * The `model.json` of artifacts stored as one `weights.bin` (their own metadata kept).
 *
 * @example
 * ```ts
 * await store.put(keys.backboneFile(id, 'model.json'), JSON.stringify(toModelJson(artifacts)));
 * ```
 */
export function toModelJson(artifacts: tf.io.ModelArtifacts): tf.io.ModelJSON {
  return {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
    ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
  };
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The architecture name of a model: its Graft metadata's `name`, else the name in its Keras topology, else
 * 'custom'.
 *
 * @example
 * ```ts
 * architectureName(artifacts); // 'mnist_cnn'
 * ```
 */
export function architectureName(artifacts: tf.io.ModelArtifacts): string {
  const meta = (artifacts.userDefinedMetadata as { graft?: { name?: unknown } } | undefined)?.graft?.name;
  const topology = artifacts.modelTopology as
    | { model_config?: { config?: { name?: unknown } }; config?: { name?: unknown } }
    | undefined;
  const own = (topology?.model_config ?? topology)?.config?.name;
  return [meta, own].find((n): n is string => typeof n === 'string' && NAME.test(n)) ?? 'custom';
}
