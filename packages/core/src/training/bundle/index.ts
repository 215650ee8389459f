export { type Bundle, createBundle, findFeaturesLayer } from './create-bundle.js';
export {
  type BundleFiles,
  bundleFromFiles,
  bundleToFiles,
  modelArtifacts,
  parseBundleFiles,
  WEIGHTS_FILE,
} from './files.js';
export { type Classification, type ClassifyOptions, type LoadedBundle, openBundle } from './loaded-bundle.js';
export { fingerprintDataset, type GraftMeta, parseGraftMeta, tfjsVersion } from './meta.js';
export { loadBundle, saveBundle } from './save-load.js';
