export * from './advisor/index.js';
export { type AugmentationOptions, augmentBatch } from './augment.js';
export * from './bundle/index.js';
export { resolveClassWeights } from './class-weights.js';
export {
  InvalidBundleError,
  InvalidTrainingInputError,
  InvalidTrainingOptionsError,
  TrainingError,
  type TrainingErrorCode,
  UnknownStrategyError,
} from './errors.js';
export * from './evaluation/index.js';
export { applyHead, buildHead, gridPooling, HEAD_PREFIX, type HeadSpec, poolActivations } from './head.js';
export { seededRandom, shuffledIndices } from './random.js';
export { type Architecture, buildArchitecture, mnistCnn } from './strategies/architectures.js';
export { composeWithHead } from './strategies/compose.js';
export { computeActivations } from './strategies/freeze-k.js';
export { train } from './train.js';
export type {
  ArchitectureName,
  DevelopInput,
  EarlyStopping,
  EarlyStoppingMonitor,
  EpochMetrics,
  FeatureExtractionInput,
  FineTuneInput,
  FreezeKInput,
  Labels,
  ProgressEvent,
  ReduceLearningRate,
  ScratchInput,
  StrategyName,
  TrainInput,
  TrainOptions,
  TrainResult,
  ValidationSet,
} from './types.js';
export { EARLY_STOPPING_MONITORS } from './types.js';
export { stratifiedSplit } from './validation-split.js';
