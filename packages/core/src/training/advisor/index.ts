export { type Advice, advise } from './advise.js';
export {
  measureSimilarity,
  recordSourceStatistics,
  type SimilarityMeasure,
  type SourceStatistics,
  symmetricGaussianKl,
} from './similarity.js';
export { ADVISOR_THRESHOLDS, type AdvisorThresholds } from './thresholds.js';
