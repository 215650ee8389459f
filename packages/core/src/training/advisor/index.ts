export { type Advice, advise } from './advise.js';
export { measureSimilarity, type SimilarityMeasure, symmetricGaussianKl } from './similarity.js';
export { ADVISOR_THRESHOLDS, type AdvisorThresholds } from './thresholds.js';
