import {
  type Backbone,
  disposeWeights,
  loadBackbone as loadCoreBackbone,
  type SourceOverrides,
  UnsupportedInputSizeError,
} from '@graft/core';
import { hasCode } from '@graft/errors';
import { tf } from '@graft/runtime';
import { InvalidBackboneError } from './errors.js';

/**
 * Input sizes tried when a backbone is registered (besides its own); the bundled MobileNetV2 supports these.
 *
 * @example
 * ```ts
 * manifest.inputSizes.filter((s) => PROBE_SIZES.includes(s as never)); // the standard sizes it can run at
 * ```
 */
export const PROBE_SIZES = [96, 128, 160, 192, 224] as const;

/** Size tried when a model does not fix its input size. */
const FALLBACK_SIZE = 224;

/**
 * Loads model artifacts as a backbone the caller owns (dispose it with `disposeWeights([backbone.model])`), with
 * `@graft/core`'s `loadBackbone`: a tfjs Keras LayersModel, cut below its head, rebuilt for `inputSize` when asked.
 * Anything that does not load is an {@link InvalidBackboneError} (a refused weight path stays
 * `source_not_allowed`).
 *
 * @example
 * ```ts
 * const backbone = await loadArtifacts(artifacts, { name: 'digits-cnn' }, 96);
 * disposeWeights([backbone.model]);
 * ```
 */
export async function loadArtifacts(
  artifacts: tf.io.ModelArtifacts,
  overrides: SourceOverrides,
  inputSize?: number,
): Promise<Backbone> {
  try {
    return await loadCoreBackbone(
      { kind: 'io', handler: tf.io.fromMemory(artifacts), ...overrides },
      inputSize === undefined ? {} : { inputSize },
    );
  } catch (cause) {
    if (hasCode(cause, 'source_not_allowed')) throw cause;
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new InvalidBackboneError(`not a usable tfjs Keras LayersModel backbone: ${message}`, { cause });
  }
}

/**
 * Loads artifacts at their own input size (224 when they fix none), then tries every {@link PROBE_SIZES} size:
 * returns the loaded backbone (the caller owns it) and the sizes it could be rebuilt for.
 *
 * @example
 * ```ts
 * const { backbone, inputSizes } = await loadAndProbe(artifacts, { name: 'digits-cnn' });
 * ```
 */
export async function loadAndProbe(
  artifacts: tf.io.ModelArtifacts,
  overrides: SourceOverrides,
): Promise<{ backbone: Backbone; inputSizes: number[] }> {
  let backbone: Backbone;
  try {
    backbone = await loadArtifacts(artifacts, overrides);
  } catch (error) {
    if (!(error instanceof InvalidBackboneError && error.cause instanceof UnsupportedInputSizeError))
      throw error;
    backbone = await loadArtifacts(artifacts, overrides, FALLBACK_SIZE);
  }
  const inputSizes = [backbone.inputSize];
  for (const size of PROBE_SIZES) {
    if (size === backbone.inputSize) continue;
    const rebuilt = await loadArtifacts(artifacts, overrides, size).catch(() => undefined);
    if (!rebuilt) continue;
    disposeWeights([rebuilt.model]);
    inputSizes.push(size);
  }
  return { backbone, inputSizes: inputSizes.sort((a, b) => a - b) };
}
