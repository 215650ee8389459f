// The registry of source models in the bucket (`backbones/<id>/`), the bundled MobileNetV2 always among them.
export { architectureName, toModelJson, weightBytes } from './artifacts.js';
export { disposeBackbones } from './backbone-cache.js';
export {
  BUNDLED_BACKBONE_ID,
  BUNDLED_DEFAULT_INPUT_SIZE,
  bundledManifest,
  bundledSha256,
} from './bundled.js';
export { chooseDefaultCut, type DescribeInput, describeBackbone } from './describe.js';
export {
  BackboneExistsError,
  BackboneNotFoundError,
  BackboneRegistryError,
  BackboneTooLargeError,
  InvalidBackboneError,
  SourceModelNotFoundError,
} from './errors.js';
export { sourceFromModelVersion } from './from-model.js';
export { type LoadRegisteredOptions, loadBackbone } from './load.js';
export { PROBE_SIZES } from './load-artifacts.js';
export {
  type BackboneCut,
  type BackboneManifest,
  type BackboneProvenance,
  type BackboneSummary,
  parseManifest,
  type SourceStats,
  summarizeManifest,
} from './manifest.js';
export {
  type AddBackboneInput,
  type BackboneHints,
  BackboneRegistry,
  type BackboneRegistryOptions,
  DEFAULT_MAX_WEIGHT_BYTES,
  type SourceModel,
} from './registry.js';
export { sourceFromDir, sourceFromUrl } from './sources.js';
