/**
 * `@graft/fn-api/inference-pool`: inference on worker threads (Node only; the app itself stays Web-standard and
 * loads this only when threads are asked for).
 */
export { InferenceThread } from './inference-thread.js';
export { inferenceThreadCount, type PoolModelOptions, startPoolModel } from './pool-model.js';
export { startWarmingModel, type WarmingModel } from './warming-model.js';
