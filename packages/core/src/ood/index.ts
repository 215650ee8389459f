export { decodeOod, encodeOod } from './codec.js';
export { leadingEigen, symmetricEigen } from './eigen.js';
export { DEFAULT_OOD_METHOD, type FitOodInput, fitOod, OOD_BUDGET_BYTES } from './fit.js';
export { auroc, fprAtTpr } from './metrics.js';
export { REFERENCE_OUTLIER_KINDS, referenceOutliers } from './reference-outliers.js';
export { energyScores, knnScores, mahalanobisScores, mspScores, scoreOod } from './scores.js';
export { type OodTaps, oodTaps, tapAll, toMatrix } from './taps.js';
export { keepThreshold } from './threshold.js';
export {
  type KnnStats,
  type MahalanobisStats,
  type Matrix,
  OOD_METHODS,
  type OodMethod,
  type OodStats,
  type OodVerdict,
} from './types.js';
