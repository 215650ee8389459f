import { type BackboneRegistry, loadBackbone } from '@graft/backbones';
import { compileTrunk, trunkAt } from '@graft/core';
import { decodeImage, type ImageLimits, toModelInput } from '@graft/imaging';
import { tf } from '@graft/runtime';

/** What the extract function needs to know about a data set (its `graft.json`). */
export interface ExtractConfig {
  /** Registry id of the backbone (`@graft/backbones`), e.g. `mobilenet_v2`. */
  backbone: string;
  inputSize: number;
  cut: string;
}

/** Turns image bytes into the trunk's output at the data set's cut. */
export interface Extractor {
  /** Registry id and input size (feature keys use it), e.g. `mobilenet_v2-96`. */
  backboneId: string;
  cut: string;
  /** Decodes, resizes, normalises and runs the frozen trunk. Throws imaging errors for bad images. */
  extract(bytes: Uint8Array): Promise<{ data: Float32Array; shape: number[] }>;
  /** Frees the trunk's weights. */
  dispose(): void;
}

/**
 * Builds extractors once per backbone (by registry id and weights SHA-256), input size and cut, and keeps them for
 * the life of the container. Any registered backbone works (`@graft/backbones`); an unknown one rejects with
 * `BackboneNotFoundError` (code `backbone_not_found`: the upload is retried, it may be registered later).
 *
 * @example
 * ```ts
 * const extractors = createExtractorCache(new BackboneRegistry(store));
 * const extractor = await extractors.get({ backbone: 'mobilenet_v2', inputSize: 96, cut: 'block_10_project_BN' });
 * const { data, shape } = await extractor.extract(pngBytes);
 * ```
 */
export function createExtractorCache(registry: BackboneRegistry, options: { limits?: ImageLimits } = {}) {
  const cache = new Map<string, Promise<Extractor>>();
  return {
    async get(config: ExtractConfig): Promise<Extractor> {
      const sha = await registry.weightsSha256(config.backbone);
      const key = [config.backbone, sha, config.inputSize, config.cut].join('|');
      let extractor = cache.get(key);
      if (!extractor) {
        extractor = build(registry, config, options.limits);
        extractor.catch(() => cache.delete(key));
        cache.set(key, extractor);
      }
      return extractor;
    },
    /**
     * Frees every compiled trunk built so far (a Lambda container never needs to; a job does when it ends). The
     * backbones stay cached in the process (`disposeBackbones` of `@graft/backbones` frees them).
     */
    async dispose(): Promise<void> {
      const all = [...cache.values()];
      cache.clear();
      for (const extractor of await Promise.allSettled(all)) {
        if (extractor.status === 'fulfilled') extractor.value.dispose();
      }
    },
  };
}

async function build(
  registry: BackboneRegistry,
  config: ExtractConfig,
  limits: ImageLimits = {},
): Promise<Extractor> {
  const backbone = await loadBackbone(registry, config.backbone, { inputSize: config.inputSize });
  // The trunk alone: the backbone is the process's, and splitting it would add a node to every upper layer per extractor.
  const { trunk, cut } = trunkAt(backbone, config.cut);
  const compiled = compileTrunk(trunk);
  const gray = backbone.inputChannels === 1;
  return {
    backboneId: backbone.id,
    cut: cut.name,
    async extract(bytes) {
      const image = await decodeImage(bytes, limits);
      const output = tf.tidy(() => {
        const rgb = toModelInput(image, { size: config.inputSize, preprocessing: backbone.preprocessing });
        const input = gray ? rgb.mean(-1, true) : rgb;
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
    },
  };
}
