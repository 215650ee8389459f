export * as tf from '#tfjs';
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
export { releaseLayersGraphs } from './layers-caches.js';
export { type MemorySample, memorySample } from './memory-sample.js';
export {
  type BackendChoice,
  type BackendName,
  type BackendSource,
  probeTensorflow,
  selectBackend,
  TENSORFLOW_MODULES,
} from './select-backend.js';
export { SIMD_WASM_FILE, WASM_FILE_NAMES, wasmDirCandidates, wasmFilesDir } from './wasm-files.js';
