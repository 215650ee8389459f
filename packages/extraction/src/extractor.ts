import { compileTrunk, disposeWeights, loadBackbone, splitBackbone } from '@graft/core';
import { decodeImage, type ImageLimits, toModelInput } from '@graft/imaging';
import { tf } from '@graft/runtime';
import { BackboneNotFoundError } from './errors.js';

/** What the extract function needs to know about a data set (its `graft.json`). */
export interface ExtractConfig {
  backbone: string;
  inputSize: number;
  cut: string;
}

/** Turns image bytes into the trunk's output at the data set's cut. */
export interface Extractor {
  /** Backbone id including the input size (feature keys use it), e.g. `mobilenet_v2-96`. */
  backboneId: string;
  cut: string;
  /** Decodes, resizes, normalises and runs the frozen trunk. Throws imaging errors for bad images. */
  extract(bytes: Uint8Array): Promise<{ data: Float32Array; shape: number[] }>;
  /** Frees the trunk's weights. */
  dispose(): void;
}

/**
 * Builds extractors once per (backbone, input size, cut) and keeps them for the life of the container.
 *
 * @example
 * ```ts
 * const extractors = createExtractorCache();
 * const extractor = await extractors.get({ backbone: 'mobilenet_v2', inputSize: 96, cut: 'block_10_project_BN' });
 * const { data, shape } = await extractor.extract(pngBytes);
 * ```
 */
export function createExtractorCache(options: { limits?: ImageLimits } = {}) {
  const cache = new Map<string, Promise<Extractor>>();
  return {
    get(config: ExtractConfig): Promise<Extractor> {
      const key = `${config.backbone}|${config.inputSize}|${config.cut}`;
      let extractor = cache.get(key);
      if (!extractor) {
        extractor = build(config, options.limits);
        extractor.catch(() => cache.delete(key));
        cache.set(key, extractor);
      }
      return extractor;
    },
    /** Frees every extractor built so far (a Lambda container never needs to; a job does when it ends). */
    async dispose(): Promise<void> {
      const all = [...cache.values()];
      cache.clear();
      for (const extractor of await Promise.allSettled(all)) {
        if (extractor.status === 'fulfilled') extractor.value.dispose();
      }
    },
  };
}

async function build(config: ExtractConfig, limits: ImageLimits = {}): Promise<Extractor> {
  if (config.backbone !== 'mobilenet_v2') {
    throw new BackboneNotFoundError(config.backbone);
  }
  const backbone = await loadBackbone({ kind: 'default' }, { inputSize: config.inputSize });
  const { trunk, cut } = splitBackbone(backbone, config.cut);
  const compiled = compileTrunk(trunk);
  return {
    backboneId: backbone.id,
    cut: cut.name,
    async extract(bytes) {
      const image = await decodeImage(bytes, limits);
      const output = tf.tidy(() => {
        const input = toModelInput(image, { size: config.inputSize, preprocessing: backbone.preprocessing });
        return compiled.predict(input.expandDims(0) as tf.Tensor4D);
      });
      try {
        const data = (await output.data()) as Float32Array;
        return { data, shape: output.shape.slice(1) };
      } finally {
        output.dispose();
      }
    },
    dispose() {
      compiled.dispose();
      disposeWeights([backbone.model]);
    },
  };
}
