import { tf } from '@graft/runtime';
import { decodeOod } from '../../ood/codec.js';
import { InvalidBundleError } from '../errors.js';
import type { Bundle } from './create-bundle.js';
import { type BundleFiles, bundleFromFiles } from './files.js';
import { type LoadedBundle, openBundle } from './loaded-bundle.js';
import { parseGraftMeta } from './meta.js';

/**
 * Saves a bundle through any tfjs IOHandler; graft.json travels as `userDefinedMetadata.graft` in model.json.
 *
 * @example
 * ```ts
 * await saveBundle(tf.io.withSaveHandler(async (a) => store(a)), bundle);
 * await saveBundle(storeIOHandler(store, 'models/pets/versions/3/'), bundle);
 * ```
 */
export async function saveBundle(handler: tf.io.IOHandler, bundle: Bundle): Promise<tf.io.SaveResult> {
  bundle.model.setUserDefinedMetadata({ graft: bundle.meta });
  return bundle.model.save(handler);
}

/**
 * Loads a bundle for serving, from a tfjs IOHandler (graft.json read from model.json's metadata) or from the
 * registry's files (with `ood.bin` when the version has one: then every classification carries an OOD verdict). The trunk up to the bundle's cut runs compiled (`compileTrunk`), the rest as layers; the
 * caller disposes the result.
 *
 * @example
 * ```ts
 * const served = await loadBundle(tf.io.fromMemory(artifacts));
 * const [top] = served.classify(imageBatch, { topK: 3, threshold: 0.6 });
 * served.dispose();
 * ```
 */
export async function loadBundle(source: tf.io.IOHandler | Partial<BundleFiles>): Promise<LoadedBundle> {
  if ('modelJson' in source || 'weights' in source) {
    const files = source as BundleFiles;
    const ood = files.ood ? decodeOod(files.ood) : undefined;
    const bundle = await bundleFromFiles(files);
    try {
      return openBundle(bundle, ood);
    } catch (e) {
      bundle.model.dispose();
      throw e;
    }
  }
  const model = await tf.loadLayersModel(source as tf.io.IOHandler);
  const stored = (model.getUserDefinedMetadata() as { graft?: unknown } | undefined)?.graft;
  if (!stored) {
    model.dispose();
    throw new InvalidBundleError('model.json carries no graft metadata (userDefinedMetadata.graft)');
  }
  try {
    return openBundle({ model, meta: parseGraftMeta(stored) });
  } catch (e) {
    model.dispose();
    throw e;
  }
}
