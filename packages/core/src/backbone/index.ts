export { type BackboneMeta, backboneFromModel } from './backbone-from-model.js';
export { compileTrunk } from './compile-trunk.js';
export { computeCuts, widestBeforeLastDownsampling } from './cuts.js';
export { readModelDir } from './dir-source.js';
export { disposeWeights } from './dispose-weights.js';
export {
  BackboneError,
  type BackboneErrorCode,
  InvalidModelError,
  SourceNotAllowedError,
  SourceTooLargeError,
  UnknownCutError,
  UnsupportedInputSizeError,
} from './errors.js';
export { inspectBackbone } from './inspect-backbone.js';
export { loadBackbone } from './load-backbone.js';
export { MOBILENET_V2, MOBILENET_V2_SIZES, nsfwjsMobilenetArtifacts } from './nsfwjs-mobilenet.js';
export { reinitializeModel } from './reinitialize-model.js';
export { segmentBackbone } from './segment-backbone.js';
export { type BackboneSplit, findCut, splitBackbone, trunkAt } from './split-backbone.js';
export { truncateArtifacts } from './topology.js';
export type {
  Backbone,
  BackboneInspection,
  BackboneSource,
  CompiledTrunk,
  CutPoint,
  LayerInfo,
  LoadBackboneOptions,
  Preprocessing,
  SourceOverrides,
} from './types.js';
export { checkModelUrl, isInternalAddress } from './url-policy.js';
export { fetchModelUrl } from './url-source.js';
