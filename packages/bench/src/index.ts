// Benchmarks, accuracy evaluations and fault scenarios: what `graft bench`, `graft eval` and the fault tests run.

export { renderBenchmarks, writeBenchmarksMd } from './benches/benchmarks-md.js';
export { benchKernels } from './benches/kernels.js';
export { benches } from './benches/registry.js';
export type { BenchRun, RunModule } from './benches/types.js';
export { evalMnistTransfer } from './evals/mnist-transfer.js';
export { evals } from './evals/registry.js';
export { SCENARIO_STRATEGIES } from './evals/scenarios.js';
export { type ApiStack, type ApiStackOptions, startApiStack } from './faults/api-stack.js';
export {
  type FaultKind,
  type FaultProxy,
  type FaultProxyOptions,
  startFaultProxy,
} from './faults/fault-proxy.js';
export {
  type PipelineScenarioOptions,
  type PipelineScenarioResult,
  runPipelineScenario,
  SCENARIO_CONFIG,
} from './faults/pipeline-scenario.js';
export { pngChunk, rawPng } from './faults/raw-png.js';
export {
  runSwapScenario,
  type SwapScenarioOptions,
  type SwapScenarioResult,
} from './faults/swap-scenario.js';
export { syntheticUploads } from './faults/synthetic-uploads.js';
export { grayPng, TINY_LABELS, tinyModelFiles } from './faults/tiny-model.js';
export {
  compareKernelCase,
  type KernelCase,
  kernelCases,
  maxRelError,
  runKernelCase,
  seededValues,
} from './kernels/kernel-cases.js';
export { type MatmulPeak, measureMatmulPeak } from './kernels/matmul-peak.js';
export { buildMnistCnn, type MnistSample, mnistTensors, readMnistDigits } from './kernels/mnist-cnn.js';
