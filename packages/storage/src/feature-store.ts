import type { BlobStore } from './blob-store.js';
import { NotFoundError } from './errors.js';
import { decodeFeature, encodeFeature, type FeatureData, type FeatureDType } from './feature-codec.js';
import { feature as featureKey } from './keys.js';
import { sha256 } from './sha256.js';

/** Content address of one image's trunk output: backbone + cut + SHA-256 of the image bytes. */
export interface FeatureRef {
  backboneId: string;
  cut: string;
  sha256: string;
}

/**
 * Stores trunk activations content-addressed under `features/<backbone>/<cut>/<sha256>.bin`
 * (binary `GRFT` format, float32 or float16). Writes are idempotent: the same image, backbone and
 * cut always map to the same key.
 *
 * @example
 * ```ts
 * const features = new FeatureStore(store);
 * const ref = await FeatureStore.refFor(imageBytes, 'mobilenet_v2-224', 'block_10_project_BN');
 * if (!(await features.has(ref))) await features.put(ref, { shape: [14, 14, 96], data }, { dtype: 'float16' });
 * const { shape, data } = await features.get(ref);
 * ```
 */
export class FeatureStore {
  constructor(private readonly store: BlobStore) {}

  /** The reference of an image's features (hashes the image bytes with Web Crypto). */
  static async refFor(image: Uint8Array, backboneId: string, cut: string): Promise<FeatureRef> {
    return { backboneId, cut, sha256: await sha256(image) };
  }

  /** The object key of a reference (validates its parts). */
  key(ref: FeatureRef): string {
    return featureKey(ref.backboneId, ref.cut, ref.sha256);
  }

  /** Writes a feature; returns its key. */
  async put(ref: FeatureRef, feature: FeatureData, options: { dtype?: FeatureDType } = {}): Promise<string> {
    const key = this.key(ref);
    await this.store.put(key, encodeFeature(feature, options.dtype ?? 'float32'), {
      contentType: 'application/vnd.graft.feature',
    });
    return key;
  }

  /** Reads a feature (float16 is widened to float32). Rejects with `NotFoundError` when absent. */
  async get(ref: FeatureRef): Promise<FeatureData & { dtype: FeatureDType }> {
    return decodeFeature(await this.store.get(this.key(ref)));
  }

  /** Whether a feature is stored. */
  async has(ref: FeatureRef): Promise<boolean> {
    try {
      return (await this.store.head(this.key(ref))) !== undefined;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }
}
