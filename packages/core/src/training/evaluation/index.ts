export { expectedCalibrationError, type ReliabilityBin, reliabilityBins } from './calibration.js';
export { type ClassMetrics, type EvaluationReport, evaluate } from './metrics.js';
export { type ScoreKind, type Scores, softmax, toLogits, toProbabilities } from './scores.js';
export { fitTemperature, temperatureNll } from './temperature.js';
export { predictWithThreshold, type ThresholdedPrediction } from './threshold.js';
