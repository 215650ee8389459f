// What serving a published version needs from @graft/core (`@graft/core/serving`): the bundle loader without training,
// the advisor or backbone registration, so a serving process imports a third of the package on its first load.

export { decodeOod } from './ood/codec.js';
export { type BundleFiles, bundleFromFiles } from './training/bundle/files.js';
export {
  type Classification,
  type ClassifyOptions,
  type LoadedBundle,
  openBundle,
} from './training/bundle/loaded-bundle.js';
export { loadBundle } from './training/bundle/save-load.js';
