export * as tf from '@tensorflow/tfjs';
export {
  compareKernelCase,
  type KernelCase,
  kernelCases,
  maxRelError,
  runKernelCase,
  seededValues,
} from './bench/kernel-cases.js';
export { type MatmulPeak, measureMatmulPeak } from './bench/matmul-peak.js';
export { buildMnistCnn, type MnistSample, mnistTensors, readMnistDigits } from './bench/mnist-cnn.js';
export { type BenchKernelsOptions, type BenchKernelsResult, benchKernels } from './bench-kernels.js';
export {
  BackendMismatchError,
  BackendUnavailableError,
  InvalidBackendError,
  KernelInputError,
  RuntimeError,
  SimdUnavailableError,
  WasmFilesNotFoundError,
} from './errors.js';
export { type BackendInfo, type InitBackendOptions, initBackend } from './init-backend.js';
export { GRAFT_WASM_KERNELS, registerWasmTrainingKernels } from './kernels/register-wasm-training-kernels.js';
export {
  type BackendChoice,
  type BackendName,
  type BackendSource,
  probeTensorflow,
  selectBackend,
  TENSORFLOW_MODULES,
} from './select-backend.js';
export { SIMD_WASM_FILE, WASM_FILE_NAMES, wasmDirCandidates, wasmFilesDir } from './wasm-files.js';
